package client_test

import (
	"context"
	"net"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The TLS options of a rediss:// URL, against servers that verify or
// require client certificates.
func TestURLTLSOptions(t *testing.T) {
	optional := redistest.Start(t, redistest.TLS("optional"))
	required := redistest.Start(t, redistest.TLS("yes"))
	ca, cert, key := optional.TLSFiles()
	rca, rcert, rkey := required.TLSFiles()

	// pingVia dials dialAddr whatever the URL's host, when it is set, as
	// a server known by another name would be.
	pingVia := func(t *testing.T, rawURL, dialAddr string) error {
		t.Helper()
		o, err := client.ParseURL(rawURL)
		require.NoError(t, err)
		o.DisableAutoPipeline = true
		if dialAddr != "" {
			o.Dialer = func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, dialAddr)
			}
		}
		rdb, err := client.New(*o)
		require.NoError(t, err)
		defer rdb.Close()
		return rdb.Ping(ctx).Err()
	}
	ping := func(t *testing.T, rawURL string) error {
		t.Helper()
		return pingVia(t, rawURL, "")
	}
	q := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return "?" + v.Encode()
	}
	base := "rediss://" + optional.TLSAddr()

	// The system's roots do not know the test CA: verification fails...
	assert.ErrorContains(t, ping(t, base), "certificate")
	// ...unless the URL names the CA, or turns verification off.
	assert.NoError(t, ping(t, base+q("ssl_ca_certs", ca)))
	assert.NoError(t, ping(t, base+q("ssl_ca_certs", ca, "ssl_cert_reqs", "optional")))
	assert.NoError(t, ping(t, base+q("ssl_cert_reqs", "none")))
	// The host name is verified: "localhost" is in the certificate.
	assert.NoError(t, ping(t, "rediss://localhost:"+portOf(optional.TLSAddr())+q("ssl_ca_certs", ca)))
	// Under a name the certificate does not have, only
	// ssl_check_hostname=false connects; the chain is still verified.
	other := "rediss://cache.example:" + portOf(optional.TLSAddr())
	assert.ErrorContains(t, pingVia(t, other+q("ssl_ca_certs", ca), optional.TLSAddr()), "cache.example")
	assert.NoError(t, pingVia(t, other+q("ssl_ca_certs", ca, "ssl_check_hostname", "false"), optional.TLSAddr()))
	assert.ErrorContains(t, pingVia(t, other+q("ssl_ca_certs", rca, "ssl_check_hostname", "false"), optional.TLSAddr()),
		"certificate signed by unknown authority", "another CA")
	assert.ErrorContains(t, pingVia(t, other+q("ssl_check_hostname", "false"), optional.TLSAddr()),
		"certificate signed by unknown authority", "the system's roots")
	assert.ErrorContains(t, pingVia(t, other+q("ssl_ca_certs", ca, "ssl_check_hostname", "true"), optional.TLSAddr()), "cache.example")
	// A client certificate, offered to a server that takes one.
	assert.NoError(t, ping(t, base+q("ssl_ca_certs", ca, "ssl_certfile", cert, "ssl_keyfile", key)))

	// A server that requires a client certificate.
	rbase := "rediss://" + required.TLSAddr()
	assert.Error(t, ping(t, rbase+q("ssl_ca_certs", rca)), "no client certificate")
	assert.NoError(t, ping(t, rbase+q("ssl_ca_certs", rca, "ssl_certfile", rcert, "ssl_keyfile", rkey)))
	// A certificate of another CA is refused.
	assert.Error(t, ping(t, rbase+q("ssl_ca_certs", rca, "ssl_certfile", cert, "ssl_keyfile", key)))

	// Errors, found by ParseURL.
	missing := filepath.Join(t.TempDir(), "missing.pem")
	for _, bad := range []string{
		"redis://" + optional.TLSAddr() + q("ssl_ca_certs", ca),                    // not rediss
		base + q("ssl_cert_reqs", "sometimes"),                                     // unknown value
		base + q("ssl_check_hostname", "perhaps"),                                  // not a boolean
		base + q("ssl_ca_certs", missing),                                          // no such file
		base + q("ssl_ca_certs", key),                                              // no certificate in it
		base + q("ssl_certfile", cert),                                             // no key
		base + q("ssl_certfile", cert, "ssl_keyfile", rkey),                        // key of another certificate
		"rediss://user:hunter2@" + optional.TLSAddr() + q("ssl_ca_certs", missing), // password not shown
	} {
		_, err := client.ParseURL(bad)
		require.Error(t, err, bad)
		assert.NotContains(t, err.Error(), "hunter2")
	}
}

func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}
