// Package codec holds the compact value encodings used in KV. JSON is
// avoided for the hot paths: stock figures are fixed-width binary, labels
// are gzip+base64 text, cart snapshots are gob and bulk imports are CSV.
package codec

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/csv"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Packed compresses b and returns it as standard base64 text, which both
// the Worker's PutString and the REST bulk endpoint accept.
func Packed(b []byte) (string, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// Level is a stock figure: units on hand and units held by open carts.
type Level struct {
	OnHand uint32
	Held   uint32
	AtUnix int64
}

// Bytes encodes a Level as 16 big-endian bytes.
func (l Level) Bytes() []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint32(b[0:4], l.OnHand)
	binary.BigEndian.PutUint32(b[4:8], l.Held)
	binary.BigEndian.PutUint64(b[8:16], uint64(l.AtUnix))
	return b
}

// ParseLevel decodes the output of Level.Bytes.
func ParseLevel(b []byte) (Level, error) {
	if len(b) != 16 {
		return Level{}, fmt.Errorf("codec: level is %d bytes, want 16", len(b))
	}
	return Level{
		OnHand: binary.BigEndian.Uint32(b[0:4]),
		Held:   binary.BigEndian.Uint32(b[4:8]),
		AtUnix: int64(binary.BigEndian.Uint64(b[8:16])),
	}, nil
}

// Gob encodes v with encoding/gob.
func Gob(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Ungob decodes b into v.
func Ungob(b []byte, v any) error {
	return gob.NewDecoder(bytes.NewReader(b)).Decode(v)
}

// Row is one line of a promo or stock CSV.
type Row []string

// ReadCSV parses r, skipping a header row that starts with "#".
func ReadCSV(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		if len(rec) > 0 && strings.HasPrefix(rec[0], "#") {
			continue
		}
		rows = append(rows, Row(rec))
	}
}

// CSVLine renders fields as a single CSV record without the newline.
func CSVLine(fields ...string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(fields)
	w.Flush()
	return strings.TrimRight(b.String(), "\n")
}
