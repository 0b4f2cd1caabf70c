package oidcstore

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// ClientSpec registers one staff application.
type ClientSpec struct {
	ID           string
	SecretSHA256 string
	RedirectURIs []string
	PostLogout   []string
	Scopes       []string
	Native       bool
}

// Register adds staff applications; loginURL builds the login page URL for
// an auth request ID.
func (s *Storage) Register(loginURL func(string) string, specs ...ClientSpec) {
	for _, sp := range specs {
		c := &staffClient{
			id:            sp.ID,
			secretHash:    sp.SecretSHA256,
			redirectURIs:  sp.RedirectURIs,
			postLogout:    sp.PostLogout,
			appType:       op.ApplicationTypeWeb,
			authMethod:    oidc.AuthMethodBasic,
			loginURL:      loginURL,
			idTokenLife:   time.Hour,
			allowedScopes: map[string]bool{},
		}
		if sp.Native {
			c.appType = op.ApplicationTypeNative
			c.authMethod = oidc.AuthMethodNone
		}
		for _, sc := range sp.Scopes {
			c.allowedScopes[sc] = true
		}
		s.clients[sp.ID] = c
	}
}

func checkSecret(wantHex, secret string) bool {
	sum := sha256.Sum256([]byte(secret))
	got := hex.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(wantHex)) == 1
}
