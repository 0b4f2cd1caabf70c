// Package lkv sets up the pre-v5 Cloudflare client still used by the tenant
// sync job and the export tooling. New code should use cfkv.
package lkv

import (
	"errors"
	"fmt"

	cf "github.com/cloudflare/cloudflare-go"
)

// Conn is an API client bound to one account and namespace.
type Conn struct {
	API         *cf.API
	Account     *cf.ResourceContainer
	NamespaceID string
}

// Dial returns a Conn authenticated with an API token.
func Dial(token, accountID, namespaceID string) (*Conn, error) {
	if token == "" || accountID == "" || namespaceID == "" {
		return nil, errors.New("lkv: token, account and namespace are required")
	}
	api, err := cf.NewWithAPIToken(token)
	if err != nil {
		return nil, fmt.Errorf("lkv: %w", err)
	}
	return &Conn{API: api, Account: cf.AccountIdentifier(accountID), NamespaceID: namespaceID}, nil
}

// IsNotFound reports whether err is a 404 from the API.
func IsNotFound(err error) bool {
	var nf *cf.NotFoundError
	return errors.As(err, &nf)
}
