package client_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/duoredis/redis/client"
)

func ExampleClient_Monitor() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	m, err := rdb.Monitor(ctx)
	if err != nil {
		panic(err)
	}
	defer m.Close()

	rdb.Set(ctx, "example:client:monitor", "hello \"world\"\n", 0)
	for ev, err := range m.All(ctx) {
		if err != nil {
			panic(err)
		}
		if ev.Command != "SET" || ev.Args[0] != "example:client:monitor" {
			continue // another client's command
		}
		fmt.Printf("db %d, %s %q\n", ev.DB, ev.Command, ev.Args)
		fmt.Println("as sent:", ev.Raw[strings.Index(ev.Raw, "] ")+2:])
		break
	}
	// Output:
	// db 0, SET ["example:client:monitor" "hello \"world\"\n"]
	// as sent: "SET" "example:client:monitor" "hello \"world\"\n"
}

func ExampleParseMonitorLine() {
	ev, err := client.ParseMonitorLine(`1700000000.123456 [0 lua] "SET" "k" "caf\xc3\xa9 \"au lait\""`)
	if err != nil {
		panic(err)
	}
	fmt.Println(ev.Time.UTC().Format(time.RFC3339Nano))
	fmt.Println(ev.DB, ev.ClientType, ev.Command, ev.Args[0], ev.Args[1])

	_, err = client.ParseMonitorLine(`1700000000.123456 [0 lua] SET`)
	fmt.Println(err)
	// Output:
	// 2023-11-14T22:13:20.123456Z
	// 0 lua SET k café "au lait"
	// redis: malformed MONITOR line (want '"' to start an argument at byte 26): "1700000000.123456 [0 lua] SET"
}
