// Package ids holds the identifier types of the billing domain and the KV
// keys derived from them.
package ids

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// CustomerID identifies a B2B customer account.
type CustomerID string

// Key is the customer's profile record.
func (c CustomerID) Key() string { return "cust/" + string(c) }

// SessionPrefix is the prefix under which the customer's portal sessions live.
func (c CustomerID) SessionPrefix() string { return "sess/" + string(c) + "/" }

// InvoiceID identifies an invoice.
type InvoiceID string

// Key is the invoice record.
func (i InvoiceID) Key() string { return path.Join("inv", url.PathEscape(string(i))) }

// NotesKey holds the free-text notes thread of the invoice.
func (i InvoiceID) NotesKey() string { return path.Join("inv", url.PathEscape(string(i)), "notes") }

// ApprovalsKey holds the list of approvers that signed the invoice off.
func (i InvoiceID) ApprovalsKey() string {
	return path.Join("inv", url.PathEscape(string(i)), "approvals")
}

// APIKeyID identifies a customer API key (not the secret).
type APIKeyID string

// RateKey is the request counter of the key for one window.
func (a APIKeyID) RateKey(window int64) string { return fmt.Sprintf("ratelimit/%s/%d", a, window) }

// LimitKey holds the per-key request limit an operator configured.
func (a APIKeyID) LimitKey() string { return "apikey-limit/" + string(a) }

// SessionKey builds the key of one portal session.
func SessionKey(c CustomerID, sid string) string {
	var b strings.Builder
	b.Grow(64)
	b.WriteString(c.SessionPrefix())
	b.WriteString(sid)
	return b.String()
}

// NewToken returns a fresh URL-safe random token of n bytes of entropy.
func NewToken(n int) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(buf)
}
