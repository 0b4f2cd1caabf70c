// Package codec holds the value encodings used in KV. Listing pages are large
// and compressible, so they are gzipped and base64-wrapped; small fixed
// records use encoding/binary; posting records use gob.
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
	"strconv"
	"strings"
	"time"
)

// Pack gzips b and returns it as standard base64 text.
func Pack(b []byte) (string, error) {
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

// Unpack reverses Pack.
func Unpack(s string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("codec: base64: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("codec: gzip: %w", err)
	}
	defer zr.Close()
	return io.ReadAll(zr)
}

// Usage is the fixed-width quota record: postings used and the time of the
// last change.
type Usage struct {
	Used    uint32
	Changed int64
}

// MarshalUsage encodes u big-endian in 12 bytes.
func MarshalUsage(u Usage) []byte {
	b := make([]byte, 12)
	binary.BigEndian.PutUint32(b[0:4], u.Used)
	binary.BigEndian.PutUint64(b[4:12], uint64(u.Changed))
	return b
}

// UnmarshalUsage decodes a record written by MarshalUsage.
func UnmarshalUsage(b []byte) (Usage, error) {
	if len(b) != 12 {
		return Usage{}, errors.New("codec: usage record must be 12 bytes")
	}
	return Usage{
		Used:    binary.BigEndian.Uint32(b[0:4]),
		Changed: int64(binary.BigEndian.Uint64(b[4:12])),
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

// Row is one line of a saved-search digest.
type Row struct {
	Query   string
	Matches int
	At      time.Time
}

// DigestCSV renders rows as CSV with a header.
func DigestCSV(rows []Row) (string, error) {
	var sb strings.Builder
	w := csv.NewWriter(&sb)
	if err := w.Write([]string{"query", "matches", "at"}); err != nil {
		return "", err
	}
	for _, r := range rows {
		rec := []string{r.Query, strconv.Itoa(r.Matches), r.At.UTC().Format(time.RFC3339)}
		if err := w.Write(rec); err != nil {
			return "", err
		}
	}
	w.Flush()
	return sb.String(), w.Error()
}

// ParseDigestCSV reads rows written by DigestCSV.
func ParseDigestCSV(s string) ([]Row, error) {
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		return nil, err
	}
	var rows []Row
	for i, rec := range recs {
		if i == 0 || len(rec) != 3 {
			continue
		}
		n, err := strconv.Atoi(rec[1])
		if err != nil {
			return nil, fmt.Errorf("codec: row %d: %w", i, err)
		}
		at, err := time.Parse(time.RFC3339, rec[2])
		if err != nil {
			return nil, fmt.Errorf("codec: row %d: %w", i, err)
		}
		rows = append(rows, Row{Query: rec[0], Matches: n, At: at})
	}
	return rows, nil
}
