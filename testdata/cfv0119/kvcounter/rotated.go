package kvcounter

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

type deviceCredential struct {
	Token   string    `json:"token"`
	Minted  time.Time `json:"minted"`
	Rotated int       `json:"rotated"`
}

func newToken() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Quiet: a credential rotated, its rotations counted beside the new
// token; the record's state changes, not a count (kvrace's, kvsession's).
func rotateCredential(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns, device string) error {
	key := "cred:" + device
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key})
	if err != nil {
		return err
	}
	var cred deviceCredential
	if err := json.Unmarshal(raw, &cred); err != nil {
		return err
	}
	cred.Token = newToken()
	cred.Minted = time.Now().UTC()
	cred.Rotated++
	next, _ := json.Marshal(cred)
	_, err = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: next})
	return err
}
