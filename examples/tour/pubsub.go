package main

import (
	"context"
	"time"

	"github.com/duoredis/redis/client"
)

// tourPubSub shows publish/subscribe and MONITOR, each on a connection of
// its own.
func tourPubSub(ctx context.Context, rdb *client.Client, step func(string, any, error)) {
	ps, err := rdb.Subscribe(ctx, "tour:news")
	if err != nil {
		step(`Subscribe("tour:news")`, nil, err)
		return
	}
	defer ps.Close()
	// The confirmation first: after it, nothing published is missed.
	msg, err := ps.Receive(ctx)
	if err == nil {
		step(`Subscribe("tour:news"): confirmation`, msg.String(), nil)
	}
	n, err := rdb.Publish(ctx, "tour:news", "hello, subscribers").Result()
	step(`Publish("tour:news", ...) (receivers)`, n, err)
	if msg, err = ps.GetMessage(ctx, time.Second); err == nil && msg != nil {
		step(`GetMessage(1s): type, channel, data`, []string{msg.Type, msg.Channel, msg.Text()}, nil)
	} else {
		step(`GetMessage(1s)`, msg, err)
	}
	chans, err := rdb.PubSubChannels(ctx, "tour:*").Result()
	step(`PubSubChannels("tour:*")`, chans, err)

	// MONITOR: every command the server runs, parsed.
	m, err := rdb.Monitor(ctx)
	if err != nil {
		step(`Monitor()`, nil, err)
		return
	}
	defer m.Close()
	rdb.Set(ctx, "tour:watched", "value with spaces", 0)
	ev, err := m.Next(ctx)
	if err == nil {
		step(`Monitor().Next(): command, args, db`, []any{ev.Command, ev.Args, ev.DB}, nil)
	} else {
		step(`Monitor().Next()`, nil, err)
	}
	rdb.Del(ctx, "tour:watched")
}
