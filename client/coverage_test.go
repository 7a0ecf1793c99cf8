package client_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/require"
)

// coveredGroups are the command groups of the client issue, as COMMAND DOCS
// names them.
var coveredGroups = map[string]bool{
	"string": true, "generic": true, "hash": true, "list": true, "set": true, "sorted-set": true,
	"stream": true, "geo": true, "hyperloglog": true, "bitmap": true, "scripting": true,
	"pubsub": true, "connection": true, "server": true,
}

// notMethods are commands of those groups that deliberately have no method
// on Client, each with the reason.
var notMethods = map[string]string{
	"SUBSCRIBE": "pub/sub issue", "UNSUBSCRIBE": "pub/sub issue", "PSUBSCRIBE": "pub/sub issue",
	"PUNSUBSCRIBE": "pub/sub issue", "SSUBSCRIBE": "pub/sub issue", "SUNSUBSCRIBE": "pub/sub issue",
	"MONITOR": "monitor comes with its own type", "SYNC": "replication internal", "PSYNC": "replication internal",
	"REPLCONF": "replication internal", "DEBUG": "internal", "PFDEBUG": "internal", "PFSELFTEST": "internal",
	"AUTH": "the handshake's job (Options.Username/Password)", "HELLO": "the handshake's job (Options.Protocol)",
	"SELECT": "the db is fixed per client (Options.DB), as in redis-py", "QUIT": "deprecated; Close the client",
	"RESET":          "would undo the handshake of a pooled connection",
	"RESTORE-ASKING": "cluster-internal", "SCRIPT DEBUG": "an interactive Lua debugger session a pooled connection cannot hold",
	"MULTI": "pipeline issue", "EXEC": "pipeline issue", "DISCARD": "pipeline issue", "WATCH": "pipeline issue", "UNWATCH": "pipeline issue",
}

// sentCommands calls every command method of Cmdable on a queueing engine
// (no server needed) with made-up arguments and returns the names of the
// commands they queue.
func sentCommands(t *testing.T) map[string]bool {
	var q command.Queue
	c := command.NewCmdable(command.NewEngine(nil, false).WithQueue(&q))
	v := reflect.ValueOf(c)
	for i := 0; i < v.NumMethod(); i++ {
		m := v.Method(i)
		mt := m.Type()
		if mt.NumIn() == 0 || mt.In(0) != reflect.TypeOf((*context.Context)(nil)).Elem() {
			continue // not a command method (Engine, ...)
		}
		// Twice: with non-zero arguments, and with zero durations and numbers
		// (some methods choose the command by them, as SetNX does).
		for _, zero := range []bool{false, true} {
			args := make([]reflect.Value, mt.NumIn())
			for j := range args {
				args[j] = madeUp(mt.In(j), zero)
			}
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s panicked with made-up arguments: %v", v.Type().Method(i).Name, r)
					}
				}()
				if mt.IsVariadic() {
					m.CallSlice(args)
				} else {
					m.Call(args)
				}
			}()
		}
	}
	out := map[string]bool{}
	for _, n := range q.Names() {
		out[n] = true
	}
	return out
}

// madeUp returns a plausible argument of type t; with zero, durations and
// numbers are zero.
func madeUp(t reflect.Type, zero bool) reflect.Value {
	switch {
	case t == reflect.TypeOf((*context.Context)(nil)).Elem():
		return reflect.ValueOf(context.Background())
	case zero && t.Kind() >= reflect.Int && t.Kind() <= reflect.Float64:
		return reflect.Zero(t)
	case t == reflect.TypeOf(time.Duration(0)):
		return reflect.ValueOf(time.Second)
	case t == reflect.TypeOf(time.Time{}):
		return reflect.ValueOf(time.Now())
	}
	switch t.Kind() {
	case reflect.String:
		return reflect.ValueOf("x").Convert(t)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return reflect.ValueOf(1).Convert(t)
	case reflect.Float32, reflect.Float64:
		return reflect.ValueOf(1.5).Convert(t)
	case reflect.Interface:
		switch {
		case reflect.TypeOf("v").Implements(t):
			return reflect.ValueOf("v").Convert(t)
		case reflect.TypeOf(new(bytes.Buffer)).Implements(t):
			// io.Writer, io.Reader (GetTo, SetFrom)
			return reflect.ValueOf(bytes.NewBufferString("v")).Convert(t)
		}
		return reflect.Zero(t)
	case reflect.Slice:
		s := reflect.MakeSlice(t, 1, 1)
		s.Index(0).Set(madeUp(t.Elem(), zero))
		return s
	case reflect.Map:
		m := reflect.MakeMap(t)
		m.SetMapIndex(madeUp(t.Key(), zero), madeUp(t.Elem(), zero))
		return m
	}
	return reflect.Zero(t)
}

// TestCommandCoverage fails, naming them, when a Redis 7 command of the
// client's groups has no method.
func TestCommandCoverage(t *testing.T) {
	srv := redistest.Shared(t)
	rdb, err := client.New(client.Options{Addr: srv.Addr(), Protocol: 3, DecodeResponses: true})
	require.NoError(t, err)
	defer rdb.Close()
	docs, err := rdb.Do(ctx, "COMMAND", "DOCS").Result()
	require.NoError(t, err)
	docMap, ok := docs.(map[string]any)
	require.True(t, ok, "COMMAND DOCS under RESP3: %T", docs)

	sent := sentCommands(t)
	var missing []string
	for name, d := range docMap {
		doc, _ := d.(map[string]any)
		group, _ := doc["group"].(string)
		if !coveredGroups[group] {
			continue
		}
		upper := strings.ToUpper(name)
		if _, skip := notMethods[upper]; skip {
			continue
		}
		subs, _ := doc["subcommands"].(map[string]any)
		if len(subs) == 0 {
			if !sent[upper] {
				missing = append(missing, fmt.Sprintf("%s (%s)", upper, group))
			}
			continue
		}
		for sub := range subs {
			full := strings.ToUpper(strings.ReplaceAll(sub, "|", " "))
			if _, skip := notMethods[full]; skip || strings.HasSuffix(full, " HELP") {
				continue
			}
			if !sent[full] {
				missing = append(missing, fmt.Sprintf("%s (%s)", full, group))
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d commands have no method:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
}
