// Package auth implements account lockout for the login service.
package auth

import (
	"context"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

const maxFailures = 5

// Lockout tracks failed logins in KV so that the edge can reject early.
type Lockout struct {
	API *cloudflare.API
	RC  *cloudflare.ResourceContainer
	NS  string
}

// RecordFailure counts a failed login for user.
func (l *Lockout) RecordFailure(ctx context.Context, user string) (locked bool, err error) {
	k := "login_attempts:" + user
	v, err := l.API.GetWorkersKV(ctx, l.RC, cloudflare.GetWorkersKVParams{NamespaceID: l.NS, Key: k})
	failures := 0
	if err == nil {
		failures, _ = strconv.Atoi(string(v))
	}
	failures++
	_, err = l.API.WriteWorkersKVEntries(ctx, l.RC, cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvcounter
		NamespaceID: l.NS,
		KVs:         []*cloudflare.WorkersKVPair{{Key: k, Value: strconv.Itoa(failures), ExpirationTTL: 900}},
	})
	if err != nil {
		return false, err
	}
	if failures >= maxFailures {
		return true, l.lock(ctx, user)
	}
	return false, nil
}

// lock stores when the lock ends; the edge compares it with the clock.
func (l *Lockout) lock(ctx context.Context, user string) error {
	until := time.Now().Add(15 * time.Minute).Unix()
	_, err := l.API.WriteWorkersKVEntries(ctx, l.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: l.NS,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        "lockout:" + user,
			Value:      strconv.FormatInt(until, 10),
			Expiration: int(until),
		}},
	})
	return err
}

// RecordSuccess clears the failure count.
func (l *Lockout) RecordSuccess(ctx context.Context, user string) error {
	_, err := l.API.DeleteWorkersKVEntry(ctx, l.RC, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: l.NS, Key: "login_attempts:" + user})
	return err
}
