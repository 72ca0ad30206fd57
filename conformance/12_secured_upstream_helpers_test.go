package conformance_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Helpers of spec/12-secured-upstream.md on the mock: a throwaway CA made in
// the test (the suite shares no code with what it judges), and a TLS front
// that terminates TLS before a mock upstream, as a secured cluster's HTTPS
// layer would.

// testCA is a CA that signs the certificates of one spec.
type testCA struct {
	cert   *x509.Certificate
	key    *ecdsa.PrivateKey
	pool   *x509.CertPool
	pemDER []byte
}

func newTestCA(name string) *testCA {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	Expect(err).NotTo(HaveOccurred())
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	Expect(err).NotTo(HaveOccurred())
	cert, err := x509.ParseCertificate(der)
	Expect(err).NotTo(HaveOccurred())
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool, pemDER: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// leafOpts describe a certificate the CA signs.
type leafOpts struct {
	cn       string
	dns      []string
	emails   []string
	ips      []net.IP
	notAfter time.Time // zero: valid for a day
}

func (ca *testCA) issue(o leafOpts) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	Expect(err).NotTo(HaveOccurred())
	notBefore, notAfter := time.Now().Add(-time.Hour), o.notAfter
	if notAfter.IsZero() {
		notAfter = time.Now().Add(24 * time.Hour)
	} else {
		notBefore = notAfter.Add(-24 * time.Hour)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: o.cn},
		NotBefore: notBefore, NotAfter: notAfter, DNSNames: o.dns, EmailAddresses: o.emails, IPAddresses: o.ips,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	Expect(err).NotTo(HaveOccurred())
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// serverCert is a certificate for 127.0.0.1 and localhost.
func (ca *testCA) serverCert() tls.Certificate {
	return ca.issue(leafOpts{cn: "node", dns: []string{"localhost"}, ips: []net.IP{net.IPv4(127, 0, 0, 1)}})
}

// writeCA writes the CA certificate as a PEM file in the spec's temporary directory.
func (ca *testCA) writeCA() string {
	return writeSpecFile("ca.pem", ca.pemDER)
}

// writePair writes a certificate and key as PEM files.
func writePair(name string, c tls.Certificate) (certFile, keyFile string) {
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	Expect(err).NotTo(HaveOccurred())
	certFile = writeSpecFile(name+".pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}))
	keyFile = writeSpecFile(name+"-key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	return certFile, keyFile
}

var specFileDirs sync.Map // one temporary directory per spec, by spec text

// writeSpecFile writes data under name in a directory of this spec.
func writeSpecFile(name string, data []byte) string {
	dirAny, _ := specFileDirs.LoadOrStore(CurrentSpecReport().FullText(), GinkgoT().TempDir())
	path := filepath.Join(dirAny.(string), name)
	ExpectWithOffset(1, os.WriteFile(path, data, 0o600)).To(Succeed())
	return path
}

// tlsFront terminates TLS and relays each connection's bytes to a cleartext
// upstream. It counts connections and resumed TLS sessions (UPS-10).
type tlsFront struct {
	URL     string
	ln      net.Listener
	conns   atomic.Int64
	resumed atomic.Int64
	mu      sync.Mutex
	open    []net.Conn
}

// startTLSFront serves cfg's TLS on a loopback port in front of target ("host:port").
func startTLSFront(target string, cfg *tls.Config) *tlsFront {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	f := &tlsFront{URL: "https://" + ln.Addr().String(), ln: ln}
	DeferCleanup(f.close)
	go f.accept(target, cfg)
	return f
}

func (f *tlsFront) accept(target string, cfg *tls.Config) {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.conns.Add(1)
		f.mu.Lock()
		f.open = append(f.open, c)
		f.mu.Unlock()
		go f.relay(tls.Server(c, cfg), target)
	}
}

func (f *tlsFront) relay(c *tls.Conn, target string) {
	defer c.Close()
	if err := c.Handshake(); err != nil {
		return
	}
	if c.ConnectionState().DidResume {
		f.resumed.Add(1)
	}
	up, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer up.Close()
	go func() { _, _ = io.Copy(up, c); _ = up.(*net.TCPConn).CloseWrite() }()
	_, _ = io.Copy(c, up)
}

// dropConnections closes every connection accepted so far, as a cluster
// that restarts or times idle connections out would.
func (f *tlsFront) dropConnections() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.open {
		_ = c.Close()
	}
	f.open = nil
}

func (f *tlsFront) close() {
	_ = f.ln.Close()
	f.dropConnections()
}

// hostPort strips the scheme of a mock's URL.
func hostPort(url string) string {
	return strings.TrimPrefix(strings.TrimPrefix(url, "http://"), "https://")
}

// expectTLSFailure asserts UPS-1/UPS-7: a 502 upstream_unreachable whose
// reason starts with "TLS:" and contains want.
func expectTLSFailure(r response, want string) {
	expectError(r, 502, "upstream_unreachable")
	reason, _ := dig(r.JSON(), "error", "reason").(string)
	ExpectWithOffset(1, reason).To(HavePrefix("TLS:"))
	ExpectWithOffset(1, reason).To(ContainSubstring(want))
}
