package kvrace

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type deployLock struct {
	Holder string
	Since  time.Time
}

var errDeployLocked = errors.New("deploy locked")

// A lock whose refusal names the holder and the time it was taken,
// formatted: the record read is only named in the error.
func acquireDeploy(ns *kv.Namespace, site, me string) error {
	key := "lock:deploy:" + site
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if raw != "<null>" {
		var held deployLock
		if json.Unmarshal([]byte(raw), &held) == nil {
			return fmt.Errorf("%w: by %s since %s", errDeployLocked, held.Holder, held.Since.Format(time.RFC3339))
		}
		return errDeployLocked
	}
	body, _ := json.Marshal(deployLock{Holder: me, Since: time.Now()})
	return ns.PutString(key, string(body), &kv.PutOptions{ExpirationTTL: 600}) // want `check-then-create on one KV key`
}

// The record read is used beyond the refusal, its age decides: the same
// race, reported as a check of the holder.
func acquireDeployIfStale(ns *kv.Namespace, site, me string) error {
	key := "lock:deploy:" + site
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if raw != "<null>" {
		var held deployLock
		if json.Unmarshal([]byte(raw), &held) == nil && time.Since(held.Since.Add(time.Hour)) < 0 {
			return fmt.Errorf("%w: by %s", errDeployLocked, held.Holder)
		}
	}
	body, _ := json.Marshal(deployLock{Holder: me, Since: time.Now()})
	return ns.PutString(key, string(body), &kv.PutOptions{ExpirationTTL: 600}) // want `check-then-set on one KV key`
}
