package client_test

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
)

// namesHook prints each command and pipeline that passes through it.
type namesHook struct{}

func (namesHook) DialHook(next command.DialFunc) command.DialFunc { return next }

func (namesHook) ProcessHook(next command.ProcessFunc) command.ProcessFunc {
	return func(ctx context.Context, cmd command.Cmder) error {
		err := next(ctx, cmd)
		fmt.Println("command:", cmd.Name(), "value:", cmd.Value(), "error:", err)
		return err
	}
}

func (namesHook) ProcessPipelineHook(next command.ProcessPipelineFunc) command.ProcessPipelineFunc {
	return func(ctx context.Context, cmds []command.Cmder) error {
		err := next(ctx, cmds)
		var names []string
		for _, c := range cmds {
			names = append(names, c.Name())
		}
		fmt.Println("pipeline:", strings.Join(names, " "), "error:", err)
		return err
	}
}

func ExampleClient_AddHook() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.AddHook(namesHook{})

	rdb.Set(ctx, "example:hooks:n", 41, 0)
	rdb.Incr(ctx, "example:hooks:n")
	p := rdb.Pipeline()
	p.Incr(ctx, "example:hooks:n")
	p.Get(ctx, "example:hooks:n")
	p.Exec(ctx)
	// Output:
	// command: SET value: OK error: <nil>
	// command: INCR value: 42 error: <nil>
	// pipeline: MULTI INCR GET EXEC error: <nil>
}

func ExampleClient_AddHook_slog() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	// Errors only, without the time and duration, so that the output is
	// the same at every run.
	h := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	})
	rdb.AddHook(command.NewSlogHook(slog.New(h), command.SlogOptions{}))

	rdb.Set(ctx, "example:hooks:s", "text", 0)
	rdb.Incr(ctx, "example:hooks:s")
	// Output:
	// level=ERROR msg="redis command" command=INCR error="redis: ERR value is not an integer or out of range"
}
