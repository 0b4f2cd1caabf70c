//go:build js && wasm

package kvstore

import (
	"bytes"
	"encoding/json"
	"sync"
)

type encBuf struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var encPool = sync.Pool{New: func() any {
	e := &encBuf{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

// encode marshals v with a pooled encoder, without the trailing newline.
func encode(v any) (string, error) {
	e := encPool.Get().(*encBuf)
	defer encPool.Put(e)
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))), nil
}
