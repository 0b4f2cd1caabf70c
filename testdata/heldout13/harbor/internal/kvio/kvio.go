// Package kvio exposes stored values as io.Reader and io.Writer so encoders
// can stream into and out of the key-value store.
package kvio

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"time"

	"example.com/harbor/internal/storage"
)

// NewReader returns a reader over the value at key. A missing key reads as
// empty, with found=false.
func NewReader(ctx context.Context, st storage.Store, key string) (r io.Reader, found bool, err error) {
	b, err := st.Get(ctx, key)
	if storage.IsNotFound(err) {
		return bytes.NewReader(nil), false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return bytes.NewReader(b), true, nil
}

// Writer buffers everything written to it and stores it on Close.
type Writer struct {
	ctx    context.Context
	st     storage.Store
	key    string
	opts   []storage.PutOption
	buf    bytes.Buffer
	closed bool
}

// NewWriter returns a Writer that will store its contents under key.
func NewWriter(ctx context.Context, st storage.Store, key string, opts ...storage.PutOption) *Writer {
	return &Writer{ctx: ctx, st: st, key: key, opts: opts}
}

func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errors.New("kvio: write to closed writer")
	}
	return w.buf.Write(p)
}

// Close stores the buffered bytes. It is safe to call more than once.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.st.Put(w.ctx, w.key, w.buf.Bytes(), w.opts...)
}

// Sample is one position fix of a tracked container.
type Sample struct {
	At       time.Time
	Lat, Lon float64
}

// record is Sample's fixed 24-byte little-endian wire form.
type record struct {
	Unix     int64
	Lat, Lon uint64
}

// WriteSamples encodes samples to w.
func WriteSamples(w io.Writer, samples []Sample) error {
	for _, s := range samples {
		rec := record{s.At.Unix(), math.Float64bits(s.Lat), math.Float64bits(s.Lon)}
		if err := binary.Write(w, binary.LittleEndian, rec); err != nil {
			return err
		}
	}
	return nil
}

// ReadSamples decodes every sample from r.
func ReadSamples(r io.Reader) ([]Sample, error) {
	var out []Sample
	for {
		var rec record
		err := binary.Read(r, binary.LittleEndian, &rec)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, Sample{time.Unix(rec.Unix, 0).UTC(), math.Float64frombits(rec.Lat), math.Float64frombits(rec.Lon)})
	}
}
