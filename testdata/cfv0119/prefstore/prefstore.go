// Package prefstore is a thin adapter over the v0 SDK that maps a
// missing key to ErrNotFound.
package prefstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("prefstore: not found")

// Namespace is one KV namespace reached over the REST API.
type Namespace struct {
	API     *cloudflare.API
	Account *cloudflare.ResourceContainer
	ID      string
	Name    string
}

// Open builds a Namespace from an API token.
func Open(token, accountID, namespaceID, name string) (*Namespace, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return nil, fmt.Errorf("prefstore: %w", err)
	}
	return &Namespace{API: api, Account: cloudflare.AccountIdentifier(accountID), ID: namespaceID, Name: name}, nil
}

// IsNotFound reports whether err is a 404 from the KV API.
func IsNotFound(err error) bool {
	if errors.Is(err, ErrNotFound) {
		return true
	}
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return true
	}
	var ce *cloudflare.Error
	return errors.As(err, &ce) && ce.StatusCode == http.StatusNotFound
}

// Get reads a value. A missing key yields ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := n.API.GetWorkersKV(ctx, n.Account, cloudflare.GetWorkersKVParams{NamespaceID: n.ID, Key: key})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %s/%s: %w", n.Name, key, err)
	}
	return raw, nil
}

// Put writes a value with no expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte) error {
	_, err := n.API.WriteWorkersKVEntry(ctx, n.Account, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: n.ID,
		Key:         key,
		Value:       value,
	})
	return err
}
