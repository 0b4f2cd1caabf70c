// Package kvio adapts kvstore values to io.Reader and io.Writer so build logs
// and artifact bundles can be streamed with the standard library.
package kvio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"example.com/quarry/internal/kvstore"
)

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("kvio: writer closed")

// Writer buffers everything written to it and stores it under one key on Close.
type Writer struct {
	ctx    context.Context
	st     kvstore.Store
	key    string
	opts   kvstore.PutOptions
	buf    bytes.Buffer
	closed bool
}

// NewWriter returns a Writer for key.
func NewWriter(ctx context.Context, st kvstore.Store, key string, opts kvstore.PutOptions) *Writer {
	return &Writer{ctx: ctx, st: st, key: key, opts: opts}
}

// Write implements io.Writer.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, ErrClosed
	}
	return w.buf.Write(p)
}

// Close stores the buffered value.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.st.Put(w.ctx, w.key, w.buf.Bytes(), w.opts)
}

// NewReader returns a reader over the value stored under key.
func NewReader(ctx context.Context, st kvstore.Store, key string) (io.Reader, error) {
	raw, err := st.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(raw), nil
}

// AppendLog adds lines to the end of the log stored under key.
func AppendLog(ctx context.Context, st kvstore.Store, key string, lines []string, opts kvstore.PutOptions) error {
	w := NewWriter(ctx, st, key, opts)
	r, err := NewReader(ctx, st, key)
	switch {
	case err == nil:
		if _, err := io.Copy(w, r); err != nil {
			return err
		}
	case !kvstore.IsNotFound(err):
		return err
	}
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	return w.Close() // EXPECT kvrace
}

// chunkSize is the size of each stored part of a chunked upload.
const chunkSize = 32 << 20

// ChunkWriter splits a large stream into numbered parts key/0000, key/0001, ...
type ChunkWriter struct {
	ctx   context.Context
	st    kvstore.Store
	key   string
	opts  kvstore.PutOptions
	buf   []byte
	parts int
}

// NewChunkWriter returns a ChunkWriter storing parts under key.
func NewChunkWriter(ctx context.Context, st kvstore.Store, key string, opts kvstore.PutOptions) *ChunkWriter {
	return &ChunkWriter{ctx: ctx, st: st, key: key, opts: opts}
}

// Write implements io.Writer.
func (c *ChunkWriter) Write(p []byte) (int, error) {
	c.buf = append(c.buf, p...)
	for len(c.buf) >= chunkSize {
		if err := c.flush(c.buf[:chunkSize]); err != nil { // EXPECT kvlimits
			return 0, err
		}
		c.buf = c.buf[chunkSize:]
	}
	return len(p), nil
}

// Close stores the final partial chunk and returns the number of parts.
func (c *ChunkWriter) Close() (int, error) {
	if len(c.buf) > 0 {
		if err := c.flush(c.buf); err != nil {
			return c.parts, err
		}
		c.buf = nil
	}
	return c.parts, nil
}

func (c *ChunkWriter) flush(part []byte) error {
	key := fmt.Sprintf("%s/%04d", c.key, c.parts)
	if err := c.st.Put(c.ctx, key, part, c.opts); err != nil {
		return err
	}
	c.parts++
	return nil
}
