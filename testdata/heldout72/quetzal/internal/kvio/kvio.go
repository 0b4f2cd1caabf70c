// Package kvio exposes KV values as streams: a Writer buffers what is written
// and stores it on Close, a Reader serves a stored value.
package kvio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"time"

	"github.com/quetzal-analytics/quetzal/internal/kvstore"
)

// MaxValue is the largest value a Writer accepts.
const MaxValue = 25 << 20

// ErrTooLarge is returned by Write once the buffered value exceeds MaxValue.
var ErrTooLarge = errors.New("kvio: value larger than 25 MiB")

// Writer is an io.WriteCloser that stores its content under one key on Close.
type Writer struct {
	ctx    context.Context
	st     *kvstore.Store
	key    string
	ttl    time.Duration
	buf    bytes.Buffer
	closed bool
}

// NewWriter returns a Writer storing under key with lifetime ttl (zero: no
// expiry). Nothing is written to KV until Close.
func NewWriter(ctx context.Context, st *kvstore.Store, key string, ttl time.Duration) *Writer {
	return &Writer{ctx: ctx, st: st, key: key, ttl: ttl}
}

// Write implements io.Writer.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errors.New("kvio: write after close")
	}
	if w.buf.Len()+len(p) > MaxValue {
		return 0, ErrTooLarge
	}
	return w.buf.Write(p)
}

// Len reports how many bytes are buffered.
func (w *Writer) Len() int { return w.buf.Len() }

// Close stores the buffered content. Closing twice is a no-op.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.st.Put(w.ctx, w.key, w.buf.Bytes(), w.ttl)
}

// Abort discards the buffer without storing it.
func (w *Writer) Abort() { w.closed = true; w.buf.Reset() }

// Open returns a ReadCloser over the value under key. A missing key yields
// kvstore.ErrNotFound.
func Open(ctx context.Context, st *kvstore.Store, key string) (io.ReadCloser, error) {
	b, err := st.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// OpenOrEmpty is like Open but serves an empty stream for a missing key.
func OpenOrEmpty(ctx context.Context, st *kvstore.Store, key string) (io.ReadCloser, error) {
	rc, err := Open(ctx, st, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return io.NopCloser(bytes.NewReader(nil)), nil
	}
	return rc, err
}
