//go:build js && wasm

// Package kvio exposes KV entries as io.Reader and io.Writer so binary
// payloads (gob snapshots, CSV exports, audit logs) can be streamed through
// the usual encoders. Payloads are stored base64-encoded as text.
package kvio

import (
	"bytes"
	"encoding/base64"
	"encoding/gob"
	"io"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Writer buffers everything written and stores it on Close.
type Writer struct {
	ns  *kv.Namespace
	key string
	ttl time.Duration
	buf bytes.Buffer
}

// NewWriter returns a Writer for key. A ttl of zero keeps the entry
// forever; anything shorter than KV's minimum is raised to a minute.
func NewWriter(ns *kv.Namespace, key string, ttl time.Duration) *Writer {
	return &Writer{ns: ns, key: key, ttl: ttl}
}

func (w *Writer) Write(p []byte) (int, error) { return w.buf.Write(p) }

// Close stores the buffered payload.
func (w *Writer) Close() error {
	var opts *kv.PutOptions
	if w.ttl > 0 {
		ttl := w.ttl
		if ttl < time.Minute {
			ttl = time.Minute
		}
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return w.ns.PutString(w.key, base64.StdEncoding.EncodeToString(w.buf.Bytes()), opts)
}

// NewReader returns the decoded payload under key; a missing key reads as
// empty.
func NewReader(ns *kv.Namespace, key string) (io.Reader, error) {
	v, err := ns.GetString(key, nil)
	if err != nil {
		return nil, err
	}
	if v == "" { // EXPECT kvnull
		return strings.NewReader(""), nil
	}
	return base64.NewDecoder(base64.StdEncoding, strings.NewReader(v)), nil
}

// Append adds line to the end of the payload under key.
func Append(ns *kv.Namespace, key string, line []byte, ttl time.Duration) error {
	r, err := NewReader(ns, key)
	if err != nil {
		return err
	}
	w := NewWriter(ns, key, ttl)
	if _, err := io.Copy(w, r); err != nil {
		return err
	}
	if _, err := w.Write(line); err != nil {
		return err
	}
	return w.Close() // EXPECT kvrace
}

// PutGob gob-encodes v under key.
func PutGob(ns *kv.Namespace, key string, v any, ttl time.Duration) error {
	w := NewWriter(ns, key, ttl)
	if err := gob.NewEncoder(w).Encode(v); err != nil {
		return err
	}
	return w.Close()
}

// GetGob decodes the gob payload under key into v. found is false when the
// key does not exist.
func GetGob(ns *kv.Namespace, key string, v any) (found bool, err error) {
	raw, err := ns.GetString(key, nil)
	if err != nil || raw == "<null>" {
		return false, err
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return false, err
	}
	return true, gob.NewDecoder(bytes.NewReader(b)).Decode(v)
}
