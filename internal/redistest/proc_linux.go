//go:build linux

package redistest

import (
	"os/exec"
	"syscall"
)

// setProcAttr asks the kernel to send the server SIGTERM when the test
// binary dies, so a test that panics or times out leaves no server behind.
// (Linux sends it when the thread that started the child exits; the Go
// runtime only retires threads of goroutines that exit locked to them.)
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
