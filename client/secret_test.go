package client_test

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pipeline"
	"github.com/duoredis/redis/pool"
	"github.com/duoredis/redis/pubsub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secretPW is the password of the tests below: characters that a URL must
// escape, and a distinctive text to look for.
const secretPW = "Hunter2#/?@:zQ"

// secretVerbs are the fmt verbs (and flags) tried on every type that
// holds a password.
var secretVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%o", "%b", "%e", "%f", "%t", "%c", "%U", "%p", "%10s", "%-8v", "%#q", "%#x", "% x", "%.3s"}

// assertNoSecret fails when s shows the password as it is, quoted or in
// hexadecimal.
func assertNoSecret(t *testing.T, s, what string) {
	t.Helper()
	for _, form := range []string{secretPW, "Hunter2", hex.EncodeToString([]byte(secretPW)), strings.ToUpper(hex.EncodeToString([]byte(secretPW))),
		hex.EncodeToString([]byte("Hunter2")), strings.ToUpper(hex.EncodeToString([]byte("Hunter2")))} {
		if strings.Contains(s, form) {
			t.Errorf("%s shows the password: %s", what, s)
			return
		}
	}
}

// assertFormatsSafely prints v with every verb, fmt.Sprint and
// fmt.Sprintln, and checks that the password never shows.
func assertFormatsSafely(t *testing.T, name string, v any) {
	t.Helper()
	for _, verb := range secretVerbs {
		if verb == "%p" && reflect.ValueOf(v).Kind() != reflect.Pointer {
			// %p of a value is refused by go vet, and fmt prints the
			// value by reflection without calling any of its methods.
			continue
		}
		assertNoSecret(t, fmt.Sprintf(verb, v), name+" with "+verb)
	}
	assertNoSecret(t, fmt.Sprint(v), name+" with Sprint")
	assertNoSecret(t, fmt.Sprintln(v), name+" with Sprintln")
	if s, ok := v.(fmt.Stringer); ok {
		assertNoSecret(t, s.String(), name+".String")
	}
	if s, ok := v.(fmt.GoStringer); ok {
		assertNoSecret(t, s.GoString(), name+".GoString")
	}
}

// Every type that holds a password (the options, the client, its pool and
// connections, its pipelines, pub/subs, scripts, locks and monitors) keeps
// it out of every fmt verb, as a pointer and as a value. It showed with
// %#v of a Client, fmt.Sprint(*rdb), %#v of a pool, every verb of a
// PubSub, %s of a Script, %d of Options, ...
func TestSecretsNeverFormat(t *testing.T) {
	srv := redistest.Start(t, redistest.RequirePass(secretPW))
	opts := client.Options{Addr: srv.Addr(), Password: secretPW, Username: "default", ClientName: "secret-test"}
	rdb, err := client.New(opts)
	require.NoError(t, err)
	defer rdb.Close()
	rdb.Engine().Mux().ShareAlways(true)
	require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err()) // a shared connection is open
	rdb.Engine().Mux().ShareAlways(false)
	require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err()) // a pooled one too

	k, err := rdb.Conn(ctx)
	require.NoError(t, err)
	defer k.Close()
	require.NoError(t, k.Ping(ctx).Err())

	p := rdb.Pool()
	cn, err := p.Get(ctx)
	require.NoError(t, err)
	defer p.Put(cn)
	po := p.Options()

	ps, err := rdb.Subscribe(ctx, "news")
	require.NoError(t, err)
	defer ps.Close()
	psOpts := pubsub.Options{Conn: po}

	m, err := rdb.Monitor(ctx)
	require.NoError(t, err)
	defer m.Close()

	script := rdb.RegisterScript("return 1")
	require.NoError(t, script.Run(ctx, nil).Err())
	lock := rdb.Lock("lk", client.LockOptions{Timeout: time.Second})

	pl := rdb.Pipeline()
	defer pl.Close()
	pl.Set(ctx, "a", "b", 0)
	watching := rdb.Pipeline()
	defer watching.Close()
	require.NoError(t, watching.Watch(ctx, "a"))

	for _, c := range []struct {
		name string
		v    any
	}{
		{"client.Options", opts},
		{"*client.Options", &opts},
		{"*client.Client", rdb},
		{"client.Client", *rdb},
		{"*client.Conn", k},
		{"client.Conn", *k},
		{"pool.Options", po},
		{"*pool.Options", &po},
		{"*pool.Pool", p},
		{"*pool.Conn", cn},
		{"*pool.Mux", rdb.Engine().Mux()},
		{"pubsub.Options", psOpts},
		{"*pubsub.PubSub", ps},
		{"*client.Monitor", m},
		{"*client.Script", script},
		{"client.Script", *script},
		{"*client.Lock", lock},
		{"client.Lock", *lock},
		{"*pipeline.Pipeline", pl},
		{"pipeline.Pipeline", *pl},
		{"*pipeline.Pipeline watching", watching},
		{"[]any", []any{opts, rdb, k, p, ps, script}},
		// fmt prints an unexported field by reflection, without its
		// methods, and a wrong verb on a pointer prints what it points to.
		{"struct with an unexported *pool.Pool", struct{ p *pool.Pool }{p}},
		{"struct with an unexported *client.Client", struct{ c *client.Client }{rdb}},
		{"struct with unexported pointers", struct {
			cn *pool.Conn
			ps *pubsub.PubSub
			k  *client.Conn
			m  *client.Monitor
			pl *pipeline.Pipeline
			mx *pool.Mux
		}{cn, ps, k, m, pl, rdb.Engine().Mux()}},
		{"map", map[string]*client.Client{"rdb": rdb}},
		{"struct", struct {
			R *client.Client
			O client.Options
			P *pool.Pool
			S *pubsub.PubSub
			L *pipeline.Pipeline
		}{rdb, opts, p, ps, pl}},
		// Unexported fields are printed by reflection, and a wrong verb
		// (%s, %d of a pointer) makes fmt print the struct they point to.
		{"struct of unexported pointers", struct {
			r  *client.Client
			k  *client.Conn
			s  *client.Script
			l  *client.Lock
			m  *client.Monitor
			ps *pubsub.PubSub
			pl *pipeline.Pipeline
		}{rdb, k, script, lock, m, ps, watching}},
	} {
		assertFormatsSafely(t, c.name, c.v)
	}
}

// Errors from a server that refuses the password do not show it.
func TestSecretsNotInErrors(t *testing.T) {
	srv := redistest.Start(t, redistest.RequirePass("other-password"))
	rdb, err := client.New(client.Options{Addr: srv.Addr(), Password: secretPW, DisableAutoPipeline: true})
	require.NoError(t, err)
	defer rdb.Close()
	err = rdb.Ping(ctx).Err()
	require.Error(t, err)
	assertNoSecret(t, err.Error(), "the AUTH error")
	assertNoSecret(t, fmt.Sprintf("%#v", err), "the AUTH error with %#v")
	_, err = rdb.Subscribe(ctx, "x")
	require.Error(t, err)
	assertNoSecret(t, err.Error(), "the pub/sub's AUTH error")
	_, err = rdb.Monitor(ctx)
	require.Error(t, err)
	assertNoSecret(t, err.Error(), "the monitor's AUTH error")
}

// A password may hold any character: those a URL reserves ('#', '/', '?',
// '@', ':') unescaped are parsed as redis-py does (the userinfo ends at the
// last '@' before the host), and an error never shows the password. It
// used to fail with `invalid port ":hunter2" after host`.
func TestParseURLPasswordCharacters(t *testing.T) {
	for _, c := range []struct {
		url, user, pw, addr, network string
		db                           int
	}{
		{"redis://app:hunter2#x@localhost:6379/0", "app", "hunter2#x", "localhost:6379", "tcp", 0},
		{"redis://app:hun/ter2@localhost:6379/1", "app", "hun/ter2", "localhost:6379", "tcp", 1},
		{"redis://app:hun?ter2@localhost:6379/2", "app", "hun?ter2", "localhost:6379", "tcp", 2},
		{"redis://app:hun@ter2@localhost:6379/3", "app", "hun@ter2", "localhost:6379", "tcp", 3},
		{"redis://app:hun:ter2@localhost:6379/4", "app", "hun:ter2", "localhost:6379", "tcp", 4},
		{"redis://:" + secretPW + "@cache:7000/5?protocol=3", "", secretPW, "cache:7000", "tcp", 5},
		{"rediss://u:a/b?c#d@e:f@cache", "u", "a/b?c#d@e:f", "cache:6379", "tcp", 0},
		{"redis://:p%23w%2F@h", "", "p#w/", "h:6379", "tcp", 0},
		{"redis://:a@b@[::1]:7000/0", "", "a@b", "[::1]:7000", "tcp", 0},
		{"redis://app:hunter2 x@h", "app", "hunter2 x", "h:6379", "tcp", 0},
		{"redis://app:hunter2@", "app", "hunter2", "localhost:6379", "tcp", 0},
		{"unix://u:p#w/x@/tmp/r.sock?db=2", "u", "p#w/x", "/tmp/r.sock", "unix", 2},
		// '@' in the query, with and without credentials.
		{"redis://h/0?client_name=a@b", "", "", "h:6379", "tcp", 0},
		{"redis://u:p@h/0?client_name=a@b", "u", "p", "h:6379", "tcp", 0},
	} {
		t.Run(c.url, func(t *testing.T) {
			o, err := client.ParseURL(c.url)
			require.NoError(t, err)
			assert.Equal(t, c.user, o.Username)
			assert.Equal(t, c.pw, o.Password)
			assert.Equal(t, c.addr, o.Addr)
			assert.Equal(t, c.network, o.Network)
			assert.Equal(t, c.db, o.DB)
		})
	}
	for _, u := range []string{
		"redis://app:Hunter2%zz@localhost:6379/0",       // a bad escape
		"redis://app:Hunter2%4@localhost:6379/0",        // a cut escape
		"redis://app:Hunter2#x@localhost:port/0",        // a bad port after a '#'
		"redis://app:Hunter2/x@localhost/abc",           // a bad db after a '/'
		"redis://app:Hunter2?x@localhost?bogus=1",       // an unknown option after a '?'
		"redis://app:Hunter2#x",                         // no host at all
		"redis://app:Hunter2",                           // nor here
		"redis://app:Hunter2@h:1:2",                     // two ports
		"redis://app:Hunter2@h%zz",                      // a bad escape in the host
		"redis://app%zz:Hunter2@h",                      // a bad escape in the user name
		"unix://app:Hunter2@host/tmp/r.sock?db=x",       // a bad db
		"rediss://app:Hunter2@h?ssl_cert_reqs=maybe",    // a bad TLS option
		"redis://app:Hunter2@h?client_name=x&db=1&db=2", // an option twice
	} {
		_, err := client.ParseURL(u)
		require.Error(t, err, u)
		assertNoSecret(t, err.Error(), "the error of "+u)
		assert.NotContains(t, err.Error(), "zz", u)
		_, err = client.NewFromURL(u)
		require.Error(t, err, u)
		assertNoSecret(t, err.Error(), "the error of NewFromURL "+u)
	}
}
