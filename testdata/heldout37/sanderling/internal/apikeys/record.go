// Package apikeys issues, verifies, rotates and revokes the platform's API keys.
package apikeys

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/gob"
	"errors"
	"time"

	"sanderling/internal/kvstore"
)

// Status of an API key.
type Status uint8

const (
	Active Status = iota + 1
	Rotating
	Revoked
)

// Record is the stored form of an API key. Only the SHA-256 of the secret is kept.
type Record struct {
	ID, AccountID, Name, Plan string
	Hash                      [32]byte
	Scopes                    []string
	Status                    Status
	CreatedAt                 time.Time
	ExpiresAt                 time.Time // zero: does not expire
	ReplacedBy                string
}

const recordEncoding = 2

type recordWire Record

// MarshalBinary encodes r as a version byte followed by gob.
func (r Record) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte(recordEncoding)
	err := gob.NewEncoder(&buf).Encode(recordWire(r))
	return buf.Bytes(), err
}

// UnmarshalBinary decodes the output of MarshalBinary.
func (r *Record) UnmarshalBinary(b []byte) error {
	if len(b) == 0 || b[0] != recordEncoding {
		return errors.New("apikeys: unknown record encoding")
	}
	return gob.NewDecoder(bytes.NewReader(b[1:])).Decode((*recordWire)(r))
}

type recordCodec struct{}

func (recordCodec) Encode(r Record) ([]byte, error) { return r.MarshalBinary() }

func (recordCodec) Decode(b []byte) (Record, error) {
	var r Record
	err := r.UnmarshalBinary(b)
	return r, err
}

// Meta is the KV metadata of a record, so listings need no value reads.
type Meta struct {
	Account  string `json:"a"`
	Name     string `json:"n"`
	Status   Status `json:"s"`
	Created  int64  `json:"c"`
	LastUsed int64  `json:"u,omitempty"`
}

func (r Record) meta() Meta {
	return Meta{Account: r.AccountID, Name: r.Name, Status: r.Status, Created: r.CreatedAt.Unix()}
}

// Settings are per-account defaults for new keys.
type Settings struct {
	Plan          string   `json:"plan"`
	DefaultScopes []string `json:"default_scopes"`
}

var (
	recordsRoot = kvstore.Key("apikey")
	byHashRoot  = kvstore.Key("apikey-hash")
	namesRoot   = kvstore.Key("keyname")
	revokedRoot = kvstore.Key("revoked")
	revealRoot  = kvstore.Key("reveal")
	historyRoot = kvstore.Key("keylog")
	accountRoot = kvstore.Key("acct")
)

// RecordKey is where the record of key id of account acct lives.
func RecordKey(acct, id string) kvstore.Key {
	return recordsRoot.Escaped(acct).Child(id).Versioned(recordEncoding)
}

// OwnerIndexKey holds the JSON list of key IDs of acct.
func OwnerIndexKey(acct string) kvstore.Key { return accountRoot.Escaped(acct).Child("keys") }

// HashKey maps the hash of a secret to the record key.
func HashKey(h [32]byte) kvstore.Key { return byHashRoot.Hash(h[:]) }

func newSecret() (secret string, hash [32]byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret = "sk_live_" + base64.RawURLEncoding.EncodeToString(b)
	return secret, sha256.Sum256([]byte(secret))
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
