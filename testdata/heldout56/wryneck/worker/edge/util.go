//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/base64"
)

func randomToken() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
