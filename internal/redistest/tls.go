package redistest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// TLS makes the server listen for TLS as well, on a second port (TLSAddr),
// with a certificate for 127.0.0.1, ::1 and localhost signed by a throw-away
// CA made for this server. authClients is redis-server's
// tls-auth-clients: "no", "optional" (verify a client certificate if one is
// sent) or "yes" (require one). The plain port stays open for setup
// commands. TLSConfig and ClientCert give what a client needs.
func TLS(authClients string) Option {
	return func(c *config) { c.tlsAuth = authClients; c.tls = true }
}

// tlsFiles are a server's certificates: the CA, and a server and a client
// certificate it signed.
type tlsFiles struct {
	caPEM                         []byte
	caFile, certFile              string
	keyFile                       string
	client                        tls.Certificate
	clientCertFile, clientKeyFile string
}

// makeTLS writes a CA, a server certificate and key into dir, and makes a
// client certificate, all valid for a day.
func makeTLS(dir string) (*tlsFiles, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "redistest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	leaf := func(serial int64, name string, usage x509.ExtKeyUsage) ([]byte, *ecdsa.PrivateKey, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: name},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		}
		if usage == x509.ExtKeyUsageServerAuth {
			tmpl.DNSNames = []string{"localhost"}
			tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		return der, key, err
	}
	srvDER, srvKey, err := leaf(2, "redistest server", x509.ExtKeyUsageServerAuth)
	if err != nil {
		return nil, err
	}
	cliDER, cliKey, err := leaf(3, "redistest client", x509.ExtKeyUsageClientAuth)
	if err != nil {
		return nil, err
	}
	f := &tlsFiles{
		caPEM:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		caFile:   filepath.Join(dir, "ca.crt"),
		certFile: filepath.Join(dir, "server.crt"),
		keyFile:  filepath.Join(dir, "server.key"),

		clientCertFile: filepath.Join(dir, "client.crt"),
		clientKeyFile:  filepath.Join(dir, "client.key"),
	}
	srvKeyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		return nil, err
	}
	cliKeyDER, err := x509.MarshalECPrivateKey(cliKey)
	if err != nil {
		return nil, err
	}
	for name, data := range map[string][]byte{
		f.caFile:   f.caPEM,
		f.certFile: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}),
		f.keyFile:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: srvKeyDER}),
		f.clientCertFile: append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cliDER}),
			f.caPEM...),
		f.clientKeyFile: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: cliKeyDER}),
	} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			return nil, err
		}
	}
	f.client = tls.Certificate{Certificate: [][]byte{cliDER, caDER}, PrivateKey: cliKey}
	return f, nil
}

// TLSAddr returns the server's TLS address, "127.0.0.1:port", or "" when it
// was started without [TLS].
func (s *Server) TLSAddr() string {
	if s.tlsFiles == nil {
		return ""
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(s.tlsPort))
}

// TLSConfig returns a client configuration that trusts the server's CA,
// with verification on, and no client certificate. Each call returns a new
// config.
func (s *Server) TLSConfig() *tls.Config {
	if s.tlsFiles == nil {
		return nil
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(s.tlsFiles.caPEM)
	return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
}

// ClientCert returns a client certificate signed by the server's CA, for
// servers started with TLS("optional") or TLS("yes").
func (s *Server) ClientCert() tls.Certificate {
	if s.tlsFiles == nil {
		return tls.Certificate{}
	}
	return s.tlsFiles.client
}

// TLSFiles returns the paths of the PEM files of the server's CA and of
// the client certificate (with the CA after it) and its key, for tests
// that configure TLS by file names (as URLs do). They are "" when the
// server was started without [TLS].
func (s *Server) TLSFiles() (caFile, clientCertFile, clientKeyFile string) {
	if s.tlsFiles == nil {
		return "", "", ""
	}
	return s.tlsFiles.caFile, s.tlsFiles.clientCertFile, s.tlsFiles.clientKeyFile
}
