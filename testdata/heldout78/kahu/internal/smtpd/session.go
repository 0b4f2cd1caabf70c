package smtpd

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"kahu/internal/filter"
	"kahu/internal/mail"
)

// Session holds the state of one SMTP connection across its callbacks.
type Session struct {
	be     *Backend
	ctx    context.Context
	cancel context.CancelFunc

	ip   string
	helo string

	// set by AUTH
	customer string
	sessID   string
	failures int

	// per transaction
	from  string
	rcpts []string

	// per connection, flushed on logout
	byDomain map[string]int
}

var _ smtp.AuthSession = (*Session)(nil)

type credential struct {
	Customer string `json:"customer"`
	Salt     string `json:"salt"`
	Hash     string `json:"hash"` // hex sha256(salt || password)
	Disabled bool   `json:"disabled,omitempty"`
}

type sessionRecord struct {
	Customer  string    `json:"customer"`
	Username  string    `json:"username"`
	RemoteIP  string    `json:"ip"`
	Started   time.Time `json:"started"`
	LastFrom  string    `json:"last_from,omitempty"`
	Messages  int       `json:"messages"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (s *Session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *Session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		return s.authPlain(username, password)
	}), nil
}

func (s *Session) authPlain(username, password string) error {
	raw, err := s.be.Accounts.Get(s.ctx, "cred:"+strings.ToLower(username))
	if err != nil && !isMiss(err) {
		return &smtp.SMTPError{Code: 454, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Temporary authentication failure"}
	}
	var cred credential
	if err == nil {
		if err := json.Unmarshal(raw, &cred); err != nil {
			return err
		}
	}
	sum := sha256.Sum256([]byte(cred.Salt + password))
	if err != nil || cred.Disabled || subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(cred.Hash)) != 1 {
		s.failures++
		_ = s.be.Limits.PutTTL(s.ctx, "auth-attempts:"+s.ip, []byte(strconv.Itoa(s.failures)), 15*time.Minute) // EXPECT kvcounter
		return smtp.ErrAuthFailed
	}

	id := make([]byte, 18)
	if _, err := rand.Read(id); err != nil {
		return err
	}
	s.customer = cred.Customer
	s.sessID = base64.RawURLEncoding.EncodeToString(id)
	rec := sessionRecord{
		Customer:  cred.Customer,
		Username:  username,
		RemoteIP:  s.ip,
		Started:   time.Now(),
		UpdatedAt: time.Now(),
	}
	b, _ := json.Marshal(rec)
	return s.be.Sessions.PutTTL(s.ctx, "smtp-sess:"+s.sessID, b, s.be.SessionTTL)
}

func (s *Session) Mail(from string, opts *smtp.MailOptions) error {
	s.from = mail.Normalize(from)
	if s.customer == "" {
		return nil // inbound MX traffic, greylisted per recipient
	}
	key := "smtp-sess:" + s.sessID
	raw, err := s.be.Sessions.Get(s.ctx, key)
	if err != nil {
		return fmt.Errorf("session lookup: %w", err)
	}
	var rec sessionRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return err
	}
	rec.LastFrom = s.from
	rec.Messages++
	rec.UpdatedAt = time.Now()
	b, _ := json.Marshal(rec)
	return s.be.Sessions.PutTTL(s.ctx, key, b, s.be.SessionTTL) // EXPECT kvsession|kvrace
}

type triplet struct {
	FirstSeen time.Time `json:"first_seen"`
	Retries   int       `json:"retries"`
}

var errGreylisted = &smtp.SMTPError{
	Code:         451,
	EnhancedCode: smtp.EnhancedCode{4, 7, 1},
	Message:      "Greylisted, please try again later",
}

func (s *Session) Rcpt(to string, opts *smtp.RcptOptions) error {
	to = mail.Normalize(to)
	if s.customer != "" {
		s.rcpts = append(s.rcpts, to)
		return nil
	}
	if mail.Domain(to) != s.be.ReturnDomain {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relay access denied"}
	}
	if err := s.greylist(to); err != nil {
		return err
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

// greylist implements the classic triplet check: defer a new
// (network, sender, recipient) for Grey.Delay, accept its retries after that,
// and remember the network as good for Grey.PassFor.
func (s *Session) greylist(to string) error {
	net := network(s.ip)
	passKey := "grey:ok:" + mail.Fingerprint(net, mail.Domain(s.from))
	if _, err := s.be.Greylist.Get(s.ctx, passKey); err == nil {
		return nil
	}

	now := time.Now()
	key := "grey:" + mail.Fingerprint(net, s.from, to)
	raw, err := s.be.Greylist.Get(s.ctx, key)
	switch {
	case isMiss(err):
		b, _ := json.Marshal(triplet{FirstSeen: now})
		if err := s.be.Greylist.PutTTL(s.ctx, key, b, s.be.Grey.Expire); err != nil {
			return err
		}
		return errGreylisted
	case err != nil:
		return err
	}
	var t triplet
	if err := json.Unmarshal(raw, &t); err != nil {
		return err
	}
	if now.Sub(t.FirstSeen) < s.be.Grey.Delay {
		t.Retries++
		b, _ := json.Marshal(t)
		if err := s.be.Greylist.PutTTL(s.ctx, key, b, s.be.Grey.Expire); err != nil { // EXPECT kvrace
			return err
		}
		return errGreylisted
	}
	return s.be.Greylist.PutTTL(s.ctx, passKey, []byte(now.Format(time.RFC3339)), s.be.Grey.PassFor)
}

type deliveryLog struct {
	QueueID    string    `json:"queue_id"`
	Customer   string    `json:"customer"`
	From       string    `json:"from"`
	Accepted   time.Time `json:"accepted"`
	Recipients []string  `json:"recipients"`
}

type senderProfile struct {
	LastSeen time.Time `json:"last_seen"`
	LastHelo string    `json:"last_helo"`
	Recent   []string  `json:"recent"`
}

func (s *Session) Data(r io.Reader) error {
	raw, err := io.ReadAll(io.LimitReader(r, 40<<20))
	if err != nil {
		return err
	}
	env := mail.Envelope{RemoteIP: s.ip, Helo: s.helo, AuthUser: s.customer, From: s.from, Recipients: s.rcpts}
	msg, err := mail.Parse(env, newQueueID(), raw, time.Now())
	if err != nil {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Malformed message"}
	}

	if s.customer == "" {
		return s.be.Bounces.Inbound(s.ctx, msg)
	}
	defer s.touchSender(msg.QueueID)

	v, err := s.be.Chain.Handle(s.ctx, msg)
	if err != nil {
		log.Printf("smtpd: chain error for %s: %v", msg.QueueID, err)
	}
	switch v.Outcome {
	case filter.Reject:
		return &smtp.SMTPError{Code: v.Code, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: v.Reason}
	case filter.TempFail:
		return &smtp.SMTPError{Code: v.Code, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: v.Reason}
	}
	if len(msg.Recipients) == 0 {
		return nil
	}
	if err := s.be.Queue.Enqueue(s.ctx, msg); err != nil {
		return err
	}

	for i, rcpt := range msg.Recipients {
		status, _ := json.Marshal(map[string]string{"rcpt": rcpt, "state": "queued"})
		if err := s.be.Delivery.PutTTL(s.ctx, "rcpt:"+msg.QueueID+":"+strconv.Itoa(i), status, 30*24*time.Hour); err != nil {
			return err
		}
		s.byDomain[mail.Domain(rcpt)]++
	}

	entry := deliveryLog{QueueID: msg.QueueID, Customer: s.customer, From: s.from, Accepted: msg.ReceivedAt}
	for _, rcpt := range msg.Recipients {
		entry.Recipients = append(entry.Recipients, rcpt)
		b, _ := json.Marshal(entry)
		if err := s.be.Delivery.PutTTL(s.ctx, "dlog:"+msg.QueueID, b, 30*24*time.Hour); err != nil { // EXPECT kvhotkey
			log.Printf("smtpd: delivery log %s: %v", msg.QueueID, err)
		}
	}
	return nil
}

// touchSender keeps a short per-sender history for the abuse desk.
func (s *Session) touchSender(queueID string) {
	key := "sender:" + s.customer + ":" + s.from
	var p senderProfile
	if raw, err := s.be.Delivery.Get(s.ctx, key); err == nil {
		_ = json.Unmarshal(raw, &p)
	} else if !isMiss(err) {
		return
	}
	p.LastSeen = time.Now()
	p.LastHelo = s.helo
	p.Recent = append(p.Recent, queueID)
	if len(p.Recent) > 20 {
		p.Recent = p.Recent[len(p.Recent)-20:]
	}
	b, _ := json.Marshal(p)
	_ = s.be.Delivery.Put(s.ctx, key, b) // EXPECT kvrace
}

func (s *Session) Reset() {
	s.from = ""
	s.rcpts = nil
}

func (s *Session) Logout() error {
	defer s.cancel()
	day := time.Now().UTC().Format("20060102")
	for d, n := range s.byDomain {
		key := "quota:rcpt-domain:" + s.customer + ":" + d + ":" + day
		if err := s.be.Limits.PutTTL(s.ctx, key, []byte(strconv.Itoa(n)), 48*time.Hour); err != nil { // EXPECT kvcounter
			log.Printf("smtpd: %s: %v", key, err)
		}
	}
	if s.sessID != "" {
		return s.be.Sessions.Delete(s.ctx, "smtp-sess:"+s.sessID) // EXPECT kvsession
	}
	return nil
}

func newQueueID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}
