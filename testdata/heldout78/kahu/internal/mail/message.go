// Package mail holds the envelope and message types shared by the relay's
// filters, policies and bounce handling.
package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"
)

// Envelope is what the SMTP session learned before DATA.
type Envelope struct {
	RemoteIP   string
	Helo       string
	AuthUser   string // customer account that authenticated, empty for inbound MX
	From       string
	Recipients []string
}

// Message is an accepted message on its way through the filter chain.
type Message struct {
	Envelope
	QueueID    string
	MessageID  string
	Subject    string
	Header     mail.Header
	Body       []byte
	Size       int64
	ReceivedAt time.Time

	// Rejected collects recipients dropped by filters with the reason.
	Rejected map[string]string
}

// Parse reads the header of raw and fills the message fields.
func Parse(env Envelope, queueID string, raw []byte, now time.Time) (*Message, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	msg := &Message{
		Envelope:   env,
		QueueID:    queueID,
		MessageID:  strings.Trim(m.Header.Get("Message-Id"), "<> "),
		Subject:    m.Header.Get("Subject"),
		Header:     m.Header,
		Body:       raw,
		Size:       int64(len(raw)),
		ReceivedAt: now,
		Rejected:   map[string]string{},
	}
	return msg, nil
}

// Reject drops rcpt from the message with reason.
func (m *Message) Reject(rcpt, reason string) {
	m.Rejected[rcpt] = reason
	out := m.Recipients[:0]
	for _, r := range m.Recipients {
		if r != rcpt {
			out = append(out, r)
		}
	}
	m.Recipients = out
}

// Domain returns the lower-cased domain part of an address.
func Domain(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(addr[at+1:])
}

// Normalize lower-cases an address and strips a +tag from the local part.
func Normalize(addr string) string {
	addr = strings.ToLower(strings.TrimSpace(addr))
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return addr
	}
	local, domain := addr[:at], addr[at:]
	if plus := strings.IndexByte(local, '+'); plus > 0 {
		local = local[:plus]
	}
	return local + domain
}

// Fingerprint is a stable short hash used in keys that would otherwise carry
// personal data.
func Fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
