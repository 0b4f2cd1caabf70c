// Package smtpd implements the relay's SMTP front end on top of go-smtp.
//
// One listener serves two kinds of client: customers submitting mail after
// AUTH PLAIN, and remote MTAs delivering bounces and replies to our
// return-path domain, which go through greylisting.
package smtpd

import (
	"context"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/emersion/go-smtp"

	"kahu/internal/filter"
	"kahu/internal/kv"
	"kahu/internal/mail"
)

// Queue hands accepted messages to the delivery workers.
type Queue interface {
	Enqueue(ctx context.Context, msg *mail.Message) error
}

// BounceSink receives DSNs that arrived on the return-path domain.
type BounceSink interface {
	Inbound(ctx context.Context, msg *mail.Message) error
}

// Greylisting configures the triplet check for unauthenticated clients.
type Greylisting struct {
	Delay   time.Duration // how long a new triplet is deferred
	Expire  time.Duration // how long an unconfirmed triplet is remembered
	PassFor time.Duration // how long a confirmed client network skips the check
}

// Backend creates one Session per SMTP connection.
type Backend struct {
	Accounts kv.Namespace // SMTP credentials, written by the dashboard
	Sessions kv.Namespace // authenticated SMTP sessions
	Greylist kv.Namespace
	Limits   kv.Namespace
	Delivery kv.Namespace

	Chain         filter.Handler
	Queue         Queue
	Bounces       BounceSink
	Grey          Greylisting
	ReturnDomain  string
	MaxConnPerMin int
	SessionTTL    time.Duration
}

var _ smtp.Backend = (*Backend)(nil)

var errTooManyConns = &smtp.SMTPError{
	Code:         421,
	EnhancedCode: smtp.EnhancedCode{4, 7, 0},
	Message:      "Too many connections from your network, slow down",
}

// NewSession is called by go-smtp after the greeting is sent.
func (be *Backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	ip := remoteIP(c.Conn().RemoteAddr())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	s := &Session{
		be:       be,
		ctx:      ctx,
		cancel:   cancel,
		ip:       ip,
		helo:     c.Hostname(),
		byDomain: map[string]int{},
	}
	if be.MaxConnPerMin > 0 {
		n, err := be.countConnection(ctx, ip)
		if err != nil {
			cancel()
			return nil, err
		}
		if n > be.MaxConnPerMin {
			cancel()
			return nil, errTooManyConns
		}
	}
	return s, nil
}

// countConnection records one connection from ip in the current minute and
// returns the number seen so far.
func (be *Backend) countConnection(ctx context.Context, ip string) (int, error) {
	key := "conn-rate:" + ip + ":" + strconv.FormatInt(time.Now().Unix()/60, 10)
	n := 0
	if raw, err := be.Limits.Get(ctx, key); err == nil { // EXPECT kvnull
		n, _ = strconv.Atoi(string(raw))
	}
	n++
	if err := be.Limits.PutTTL(ctx, key, []byte(strconv.Itoa(n)), 2*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return n, nil
}

func remoteIP(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// network returns the /24 (or /64 for IPv6) that greylisting keys on, since
// large senders retry from a different address of the same pool.
func network(ip string) string {
	p := net.ParseIP(ip)
	if p == nil {
		return ip
	}
	if v4 := p.To4(); v4 != nil {
		return v4.Mask(net.CIDRMask(24, 32)).String()
	}
	return p.Mask(net.CIDRMask(64, 128)).String()
}

var errNotFound = kv.ErrNotFound

func isMiss(err error) bool { return errors.Is(err, errNotFound) }
