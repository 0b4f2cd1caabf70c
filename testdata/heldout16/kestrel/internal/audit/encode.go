package audit

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"sync"
)

// Batches are stored deflated; KV values travel as JS strings, so the
// compressed bytes are base64-encoded.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func encodeBatch(b []Entry) (string, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	zw, _ := flate.NewWriter(buf, flate.BestSpeed)
	if err := json.NewEncoder(zw).Encode(b); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(buf.Bytes()), nil
}

func decodeBatch(s string) ([]Entry, error) {
	raw, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	zr := flate.NewReader(bytes.NewReader(raw))
	defer zr.Close()
	var b []Entry
	return b, json.NewDecoder(zr).Decode(&b)
}
