package kvsession

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type resetRecord struct {
	UserID string
	Issued time.Time
}

func resetKey(token string) string { return "reset/" + token }

// A password-reset link consumed by get, then delete: the link works again
// at other locations until they see the delete.
func useResetLink(ns *kv.Namespace, token string) (string, error) { // want useResetLink:"kvsession"
	raw, err := ns.GetString(resetKey(token), nil)
	if err != nil {
		return "", err
	}
	var rec resetRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return "", err
	}
	if err := ns.Delete(resetKey(token)); err != nil { // want `A password reset token revoked or consumed by a KV delete`
		return "", err
	}
	return rec.UserID, nil
}

// A device pairing code claimed once.
func claimDevice(ns *kv.Namespace, code string) (string, error) { // want claimDevice:"kvsession"
	device, err := ns.GetString("pair/code/"+code, nil)
	if err != nil {
		return "", err
	}
	if err := ns.Delete("pair/code/" + code); err != nil { // want `A pairing code revoked or consumed by a KV delete`
		return "", err
	}
	return device, nil
}

// Quiet: a device record, not a code, is removed.
func forgetDevice(ns *kv.Namespace, id string) error {
	return ns.Delete("pair/device/" + id)
}
