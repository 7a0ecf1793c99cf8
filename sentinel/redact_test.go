package sentinel_test

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/sentinel"
	"github.com/stretchr/testify/require"
)

// The sentinels' password and the data nodes' never show, whatever the
// fmt verb, in the options or the Sentinel. %d of Options printed both by
// reflection.
func TestSentinelSecretsNeverFormat(t *testing.T) {
	const sentinelPW, dataPW = "SentinelPW#1", "DataNodePW@2"
	opts := sentinel.Options{Username: "u", Password: sentinelPW, Client: client.Options{Password: dataPW}}
	s, err := sentinel.New([]string{"127.0.0.1:1"}, opts)
	require.NoError(t, err)
	defer s.Close()
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%o", "%b", "%e", "%f", "%t", "%c", "%U", "%10s", "%#q", "%#x"}
	for _, c := range []struct {
		name string
		v    any
	}{{"sentinel.Options", opts}, {"*sentinel.Options", &opts}, {"*sentinel.Sentinel", s},
		{"struct with an unexported *sentinel.Sentinel", struct{ s *sentinel.Sentinel }{s}}} {
		outs := []string{fmt.Sprint(c.v), fmt.Sprintln(c.v)}
		for _, verb := range verbs {
			outs = append(outs, fmt.Sprintf(verb, c.v))
		}
		if c.name != "sentinel.Options" {
			outs = append(outs, fmt.Sprintf("%p", c.v))
		}
		for i, out := range outs {
			for _, pw := range []string{sentinelPW, dataPW} {
				for _, form := range []string{pw, hex.EncodeToString([]byte(pw)), strings.ToUpper(hex.EncodeToString([]byte(pw)))} {
					if strings.Contains(out, form) {
						t.Errorf("%s (output %d) shows a password: %s", c.name, i, out)
					}
				}
			}
		}
	}
}
