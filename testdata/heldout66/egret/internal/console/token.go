package console

import (
	"crypto/rand"
	"encoding/base64"
)

func newToken() (string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	return "egr_" + base64.RawURLEncoding.EncodeToString(buf), nil
}
