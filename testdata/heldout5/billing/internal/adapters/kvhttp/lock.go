package kvhttp

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// lockTTLSeconds bounds how long a crashed holder can block other runs.
const lockTTLSeconds = 30

func lockKey(name string) string { return "lock:" + name }

// TryLock takes the named advisory lock for owner. It returns false when
// someone else holds it.
func (c *Client) TryLock(ctx context.Context, name, owner string) (bool, error) {
	key := lockKey(name)
	if _, err := c.Get(ctx, key); err == nil {
		return false, nil
	} else if !isMissing(err) {
		return false, err
	}
	q := url.Values{}
	q.Set("expiration_ttl", strconv.Itoa(lockTTLSeconds)) // EXPECT kvttl

	res, err := c.send(ctx, http.MethodPut, c.valueURL(key, q), bytes.NewReader([]byte(owner)), "text/plain") // EXPECT kvrace
	if err != nil {
		return false, err
	}
	return true, res.Body.Close()
}

// Unlock releases the named lock.
func (c *Client) Unlock(ctx context.Context, name string) error {
	return c.Delete(ctx, lockKey(name))
}
