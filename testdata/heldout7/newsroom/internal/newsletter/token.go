package newsletter

import (
	"crypto/rand"
	"encoding/hex"
)

func newToken() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
