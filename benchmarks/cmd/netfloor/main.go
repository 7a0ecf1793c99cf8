// Command netfloor measures the floor a Go program can reach on a serial
// round-trip workload, with no client library at all: one goroutine writes
// a prebuilt request on a net.Conn and reads the reply with a bufio.Reader
// that only finds line ends (no values are decoded), in a loop. It is the
// reference for how much of a client's gap to redis-benchmark belongs to
// the client and how much to the Go runtime's network poller.
//
// Two ways of waiting for the reply are measured:
//   - poller (the default, what every Go client does): the socket is
//     non-blocking and a read that finds no data parks the goroutine in the
//     runtime's poller, which another thread may have to hand back;
//   - blocking: the socket is switched to blocking mode and read with
//     read(2) directly, so the reading thread sleeps in the kernel and the
//     reply wakes that same thread. No deadline or context can interrupt
//     such a read, and every waiting call holds an OS thread, which is why
//     no client (this one included) reads that way; it shows what the
//     poller costs;
//   - ppoll: the socket stays non-blocking and the thread waits for the
//     reply in ppoll(2) right after writing, then reads it (one system
//     call more than blocking, none of the poller's scheduling);
//   - toggle: the socket is switched to blocking mode for each round trip
//     and back after it (fcntl(2) twice per round trip), the cheapest way
//     to read blocking while leaving the socket to the poller between
//     calls.
//
// With the server and this program on one CPU:
//
//	taskset -c 1 redis-server --port 6399 --save '' --appendonly no &
//	for i in $(seq -w 0 99); do echo "SET bench:mget:$i 0123456789abcdef"; done | redis-cli -p 6399
//	taskset -c 1 go run ./cmd/netfloor -addr 127.0.0.1:6399 -workload mget100
//	taskset -c 1 go run ./cmd/netfloor -addr 127.0.0.1:6399 -workload mget100 -mode blocking
//
// and compare with redis-benchmark -c 1 -P 1 on the same command, and with
// cmd/worker's -workload mget100.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/duoredis/redis/benchmarks/internal/workload"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "Redis server address")
	wl := flag.String("workload", "mget100", "get (GET of the 16-byte key) or mget100 (MGET of the 100 keys)")
	mode := flag.String("mode", "poller", "how to wait for a reply: poller, blocking, ppoll or toggle")
	d := flag.Duration("time", 3*time.Second, "measured time")
	flag.Parse()
	if err := run(*addr, *wl, *mode, *d); err != nil {
		fmt.Fprintln(os.Stderr, "netfloor:", err)
		os.Exit(1)
	}
}

func run(addr, wl, mode string, d time.Duration) error {
	var args []string
	switch wl {
	case "get":
		args = []string{"GET", workload.KeyGet}
	case "mget100":
		args = append([]string{"MGET"}, workload.MGetKeyList()...)
	default:
		return fmt.Errorf("unknown workload %q", wl)
	}
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer nc.Close()
	var rw io.ReadWriter = nc
	if mode != "poller" {
		switch mode {
		case "blocking", "ppoll", "toggle":
		default:
			return fmt.Errorf("unknown mode %q", mode)
		}
		// The descriptor of a copy of the socket, blocking for "blocking",
		// non-blocking (as the runtime keeps it) for the others.
		f, err := nc.(*net.TCPConn).File()
		if err != nil {
			return err
		}
		defer f.Close()
		fd := int(f.Fd())
		if err := syscall.SetNonblock(fd, mode != "blocking"); err != nil {
			return err
		}
		switch mode {
		case "blocking":
			rw = blockingFD(fd)
		case "ppoll":
			rw = ppollFD(fd)
		case "toggle":
			rw = toggleFD(fd)
		}
	}
	req := encode(args)
	r := bufio.NewReaderSize(rw, 64<<10)
	roundTrip := func() error {
		if t, ok := rw.(toggleFD); ok {
			syscall.SetNonblock(int(t), false)
			defer syscall.SetNonblock(int(t), true)
		}
		if _, err := rw.Write(req); err != nil {
			return err
		}
		return skipReply(r)
	}
	for end := time.Now().Add(200 * time.Millisecond); time.Now().Before(end); {
		if err := roundTrip(); err != nil {
			return err
		}
	}
	ops := 0
	start := time.Now()
	for end := start.Add(d); time.Now().Before(end); ops++ {
		if err := roundTrip(); err != nil {
			return err
		}
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("workload %s mode %s: %d round trips in %.2f s, %.0f/s, %.2f µs each\n",
		wl, mode, ops, secs, float64(ops)/secs, secs*1e6/float64(ops))
	return nil
}

// encode returns args as a RESP array of bulk strings.
func encode(args []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return []byte(b.String())
}

// skipReply reads one reply of the shapes these workloads get (a bulk
// string, or an array of bulk strings) without decoding the values.
func skipReply(r *bufio.Reader) error {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return err
	}
	n, first := 1, true
	if line[0] == '*' {
		if n, err = strconv.Atoi(string(line[1 : len(line)-2])); err != nil {
			return err
		}
		first = false
	}
	for i := 0; i < n; i++ {
		if !first || i > 0 {
			if line, err = r.ReadSlice('\n'); err != nil {
				return err
			}
		}
		switch line[0] {
		case '$':
			if line[1] == '-' {
				continue // nil
			}
			size, err := strconv.Atoi(string(line[1 : len(line)-2]))
			if err != nil {
				return err
			}
			if _, err := r.Discard(size + 2); err != nil {
				return err
			}
		case '-':
			return errors.New(string(line[1 : len(line)-2]))
		default:
			return fmt.Errorf("unexpected reply line %q", line)
		}
	}
	return nil
}

// blockingFD reads and writes a blocking socket with read(2)/write(2).
type blockingFD int

func (fd blockingFD) Read(p []byte) (int, error) {
	for {
		n, err := syscall.Read(int(fd), p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}

func (fd blockingFD) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, err := syscall.Write(int(fd), p[written:])
		if n > 0 {
			written += n
		}
		if err != nil && err != syscall.EINTR {
			return written, err
		}
	}
	return written, nil
}

// ppollFD writes a non-blocking socket and waits for the reply in ppoll(2)
// before reading it.
type ppollFD int

func (fd ppollFD) Read(p []byte) (int, error) {
	for {
		n, err := syscall.Read(int(fd), p)
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.EAGAIN {
			fd.wait()
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}

// Write writes p and waits until the reply can be read.
func (fd ppollFD) Write(p []byte) (int, error) {
	n, err := blockingFD(fd).Write(p)
	if err == nil {
		fd.wait()
	}
	return n, err
}

func (fd ppollFD) wait() {
	pfd := [1]struct {
		fd      int32
		events  int16
		revents int16
	}{{fd: int32(fd), events: 1}}
	syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd[0])), 1, 0, 0, 0, 0)
}

// toggleFD is a socket switched to blocking mode for each round trip and
// back to non-blocking after it.
type toggleFD int

func (fd toggleFD) Read(p []byte) (int, error)  { return blockingFD(fd).Read(p) }
func (fd toggleFD) Write(p []byte) (int, error) { return blockingFD(fd).Write(p) }
