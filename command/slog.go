package command

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"

	redis "github.com/duoredis/redis"
)

// SlogOptions tunes the hook of NewSlogHook.
type SlogOptions struct {
	// Level is the level of a command, pipeline or dial that succeeded
	// (a nil reply, redis.Nil, is a success).
	// default: slog.LevelDebug
	Level slog.Leveler
	// ErrorLevel is the level of one that failed.
	// default: slog.LevelError
	ErrorLevel slog.Leveler
	// ServerErrorLevel is the level of a command that the server refused
	// (a *redis.Error such as WRONGTYPE): often the caller's business
	// rather than a fault.
	// default: ErrorLevel
	ServerErrorLevel slog.Leveler
}

// NewSlogHook returns a Hook that logs every command ("redis command",
// with its name, duration and error), every pipeline's batch ("redis
// pipeline", with its size and whether it is a transaction) and every dial
// ("redis dial", with network and address) to l. Arguments are not
// logged, so values and secrets stay out of the log. When l is not enabled
// for a record's level, the hook costs one check.
//
//	rdb.AddHook(command.NewSlogHook(slog.Default(), command.SlogOptions{}))
func NewSlogHook(l *slog.Logger, opts SlogOptions) Hook {
	if opts.Level == nil {
		opts.Level = slog.LevelDebug
	}
	if opts.ErrorLevel == nil {
		opts.ErrorLevel = slog.LevelError
	}
	if opts.ServerErrorLevel == nil {
		opts.ServerErrorLevel = opts.ErrorLevel
	}
	return &slogHook{l: l, o: opts}
}

type slogHook struct {
	l *slog.Logger
	o SlogOptions
}

// level returns the level of an outcome.
func (h *slogHook) level(err error) slog.Level {
	switch {
	case err == nil || errors.Is(err, redis.Nil):
		return h.o.Level.Level()
	case errors.As(err, new(*redis.Error)):
		return h.o.ServerErrorLevel.Level()
	}
	return h.o.ErrorLevel.Level()
}

// enabled reports whether some outcome could be logged: the logger takes
// the highest of the levels.
func (h *slogHook) enabled(ctx context.Context) bool {
	return h.l.Enabled(ctx, max(h.o.Level.Level(), h.o.ErrorLevel.Level(), h.o.ServerErrorLevel.Level()))
}

// log writes a record at the level of err, if the logger takes it.
func (h *slogHook) log(ctx context.Context, err error, msg string, attrs ...slog.Attr) {
	if lv := h.level(err); h.l.Enabled(ctx, lv) {
		h.l.LogAttrs(ctx, lv, msg, append(attrs, errAttr(err))...)
	}
}

func (h *slogHook) DialHook(next DialFunc) DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if !h.enabled(ctx) {
			return next(ctx, network, addr)
		}
		start := time.Now()
		nc, err := next(ctx, network, addr)
		h.log(ctx, err, "redis dial", slog.String("network", network), slog.String("addr", addr),
			slog.Duration("duration", time.Since(start)))
		return nc, err
	}
}

func (h *slogHook) ProcessHook(next ProcessFunc) ProcessFunc {
	return func(ctx context.Context, cmd Cmder) error {
		if !h.enabled(ctx) {
			return next(ctx, cmd)
		}
		start := time.Now()
		err := next(ctx, cmd)
		h.log(ctx, err, "redis command", slog.String("command", cmd.Name()),
			slog.Duration("duration", time.Since(start)))
		return err
	}
}

func (h *slogHook) ProcessPipelineHook(next ProcessPipelineFunc) ProcessPipelineFunc {
	return func(ctx context.Context, cmds []Cmder) error {
		if !h.enabled(ctx) {
			return next(ctx, cmds)
		}
		start := time.Now()
		err := next(ctx, cmds)
		tx := len(cmds) >= 2 && cmds[0].Name() == "MULTI" && cmds[len(cmds)-1].Name() == "EXEC"
		n := len(cmds)
		if tx {
			n -= 2
		}
		h.log(ctx, err, "redis pipeline", slog.Int("commands", n), slog.Bool("transaction", tx),
			slog.Duration("duration", time.Since(start)))
		return err
	}
}

// errAttr is the error of a record: empty when there is none, "nil" for
// redis.Nil.
func errAttr(err error) slog.Attr {
	if err == nil {
		return slog.Attr{}
	}
	return slog.String("error", err.Error())
}
