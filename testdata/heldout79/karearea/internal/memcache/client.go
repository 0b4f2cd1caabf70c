package memcache

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/karearea/karearea/internal/kvstore"
)

// DefaultTimeout is the default per-call timeout.
const DefaultTimeout = 5 * time.Second

// flushRefresh is how long a client trusts its copy of the flush epoch.
const flushRefresh = 10 * time.Second

// Client is a memcache client backed by one KV namespace. It is safe for
// concurrent use by multiple goroutines.
type Client struct {
	// Timeout specifies the per-call timeout. Zero means DefaultTimeout.
	Timeout time.Duration

	kv     *kvstore.Store
	prefix string

	flushMu      sync.Mutex
	flushEpoch   int64
	flushFetched time.Time
}

// New returns a client that stores keys under prefix in the store's
// namespace. Several pools (for example "legacy-php" and "go-services") can
// share a namespace with different prefixes.
func New(store *kvstore.Store, prefix string) *Client {
	return &Client{kv: store, prefix: prefix}
}

func (c *Client) ctx() (context.Context, context.CancelFunc) {
	t := c.Timeout
	if t <= 0 {
		t = DefaultTimeout
	}
	return context.WithTimeout(context.Background(), t)
}

func (c *Client) kvKey(key string) string { return c.prefix + key }

func (c *Client) flushKey() string { return c.prefix + "__flush_all" }

func newCasID() uint64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return uint64(time.Now().UnixNano())
	}
	return binary.BigEndian.Uint64(b[:]) | 1
}

// Get gets the item for the given key. ErrCacheMiss is returned for a
// memcache cache miss. The key must be at most 250 bytes in length.
func (c *Client) Get(key string) (*Item, error) {
	if !legalKey(key) {
		return nil, ErrMalformedKey
	}
	ctx, cancel := c.ctx()
	defer cancel()
	return c.get(ctx, key)
}

func (c *Client) get(ctx context.Context, key string) (*Item, error) {
	value, md, err := c.kv.GetWithMeta(ctx, c.kvKey(key))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrCacheMiss
	}
	if err != nil {
		return nil, err
	}
	env := envelopeFrom(md)
	if env.StoredAt != 0 && env.StoredAt <= c.currentFlushEpoch(ctx) {
		return nil, ErrCacheMiss
	}
	return &Item{Key: key, Value: value, Flags: env.Flags, CasID: env.CasID}, nil
}

// currentFlushEpoch returns the Unix time before which items count as
// flushed, re-reading it at most every flushRefresh.
func (c *Client) currentFlushEpoch(ctx context.Context) int64 {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	if time.Since(c.flushFetched) < flushRefresh {
		return c.flushEpoch
	}
	raw, err := c.kv.Get(ctx, c.flushKey())
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		c.flushEpoch = 0
	case err != nil:
		return c.flushEpoch
	default:
		if v, perr := strconv.ParseInt(string(raw), 10, 64); perr == nil {
			c.flushEpoch = v
		}
	}
	c.flushFetched = time.Now()
	if c.flushEpoch > time.Now().Unix() {
		return 0
	}
	return c.flushEpoch
}

// GetMulti is a batch version of Get. The returned map from keys to items
// may have fewer elements than the input slice, due to memcache cache misses.
func (c *Client) GetMulti(keys []string) (map[string]*Item, error) {
	ctx, cancel := c.ctx()
	defer cancel()

	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
		sem      = make(chan struct{}, 8)
	)
	out := make(map[string]*Item, len(keys))
	for _, key := range keys {
		if !legalKey(key) {
			return nil, ErrMalformedKey
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(key string) {
			defer wg.Done()
			defer func() { <-sem }()
			it, err := c.get(ctx, key)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				out[key] = it
			case errors.Is(err, ErrCacheMiss):
			case firstErr == nil:
				firstErr = err
			}
		}(key)
	}
	wg.Wait()
	return out, firstErr
}

func (c *Client) store(ctx context.Context, item *Item) error {
	ttl, expired := lifetime(item.Expiration, time.Now())
	if expired {
		return c.kv.Delete(ctx, c.kvKey(item.Key))
	}
	env := envelope{Flags: item.Flags, CasID: newCasID(), StoredAt: time.Now().Unix()}
	return c.kv.Put(ctx, c.kvKey(item.Key), item.Value, kvstore.PutOptions{TTL: ttl, Metadata: env.metadata()})
}

// Set writes the given item, unconditionally.
func (c *Client) Set(item *Item) error {
	if !legalKey(item.Key) {
		return ErrMalformedKey
	}
	ctx, cancel := c.ctx()
	defer cancel()
	return c.store(ctx, item)
}

// Add writes the given item, if no value already exists for its key.
// ErrNotStored is returned if that condition is not met.
func (c *Client) Add(item *Item) error {
	if !legalKey(item.Key) {
		return ErrMalformedKey
	}
	ctx, cancel := c.ctx()
	defer cancel()
	if _, err := c.get(ctx, item.Key); err == nil {
		return ErrNotStored
	} else if !errors.Is(err, ErrCacheMiss) {
		return err
	}
	return c.store(ctx, item) // EXPECT kvrace
}

// Replace writes the given item, but only if the server *does* already hold
// data for this key.
func (c *Client) Replace(item *Item) error {
	if !legalKey(item.Key) {
		return ErrMalformedKey
	}
	ctx, cancel := c.ctx()
	defer cancel()
	if _, err := c.get(ctx, item.Key); errors.Is(err, ErrCacheMiss) {
		return ErrNotStored
	} else if err != nil {
		return err
	}
	return c.store(ctx, item) // DEBATABLE kvrace
}

// CompareAndSwap writes the given item that was previously returned by Get,
// if the value was neither modified nor evicted between the Get and the
// CompareAndSwap calls. The item's Key must stay the same between calls but
// all other item fields may differ. ErrCASConflict is returned if the value
// was modified in between the calls. ErrNotStored is returned if the value
// was evicted in between the calls.
func (c *Client) CompareAndSwap(item *Item) error {
	if !legalKey(item.Key) {
		return ErrMalformedKey
	}
	ctx, cancel := c.ctx()
	defer cancel()
	cur, err := c.get(ctx, item.Key)
	if errors.Is(err, ErrCacheMiss) {
		return ErrNotStored
	}
	if err != nil {
		return err
	}
	if cur.CasID != item.CasID {
		return ErrCASConflict
	}
	return c.store(ctx, item) // EXPECT kvrace
}

// Increment atomically increments key by delta. The return value is the new
// value after being incremented or an error. If the value didn't exist in
// memcached the error is ErrCacheMiss. The value in memcached must be a
// decimal number, or an error will be returned.
// On 64-bit overflow, the new value wraps around.
func (c *Client) Increment(key string, delta uint64) (newValue uint64, err error) {
	return c.incrDecr(key, delta, true)
}

// Decrement atomically decrements key by delta. The return value is the new
// value after being decremented or an error. If the value didn't exist in
// memcached the error is ErrCacheMiss. The value in memcached must be a
// decimal number, or an error will be returned. On underflow, the new value
// is capped at zero and does not wrap around.
func (c *Client) Decrement(key string, delta uint64) (newValue uint64, err error) {
	return c.incrDecr(key, delta, false)
}

func (c *Client) incrDecr(key string, delta uint64, up bool) (uint64, error) {
	if !legalKey(key) {
		return 0, ErrMalformedKey
	}
	ctx, cancel := c.ctx()
	defer cancel()
	value, md, err := c.kv.GetWithMeta(ctx, c.kvKey(key))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, ErrCacheMiss
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(trimNumeric(value), 10, 64)
	if err != nil {
		return 0, ErrNonNumeric
	}
	switch {
	case up:
		n += delta
	case delta > n:
		n = 0
	default:
		n -= delta
	}
	env := envelopeFrom(md)
	env.CasID = newCasID()
	env.StoredAt = time.Now().Unix()
	out := []byte(strconv.FormatUint(n, 10))
	if err := c.kv.Put(ctx, c.kvKey(key), out, kvstore.PutOptions{Metadata: env.metadata()}); err != nil { // EXPECT kvrace|kvcounter
		return 0, err
	}
	return n, nil
}

// Touch updates the expiry for the given key. The seconds parameter is
// either a Unix timestamp or, if seconds is less than 1 month, the number of
// seconds into the future at which time the item will expire. Zero means the
// item has no expiration time. ErrCacheMiss is returned if the key is not in
// the cache.
func (c *Client) Touch(key string, seconds int32) error {
	if !legalKey(key) {
		return ErrMalformedKey
	}
	ctx, cancel := c.ctx()
	defer cancel()
	it, err := c.get(ctx, key)
	if err != nil {
		return err
	}
	it.Expiration = seconds
	return c.store(ctx, it) // DEBATABLE kvrace
}

// Append adds data to the end of an existing item. Prepend adds it to the
// front. Neither is part of gomemcache; the proxy needs them for the text
// protocol's append and prepend commands.
func (c *Client) Append(key string, data []byte) error { return c.concat(key, data, false) }

// Prepend adds data to the front of an existing item.
func (c *Client) Prepend(key string, data []byte) error { return c.concat(key, data, true) }

func (c *Client) concat(key string, data []byte, front bool) error {
	if !legalKey(key) {
		return ErrMalformedKey
	}
	ctx, cancel := c.ctx()
	defer cancel()
	it, err := c.get(ctx, key)
	if errors.Is(err, ErrCacheMiss) {
		return ErrNotStored
	}
	if err != nil {
		return err
	}
	buf := make([]byte, 0, len(it.Value)+len(data))
	if front {
		buf = append(append(buf, data...), it.Value...)
	} else {
		buf = append(append(buf, it.Value...), data...)
	}
	it.Value = buf
	return c.store(ctx, it) // EXPECT kvrace
}

// Delete deletes the item with the provided key. The error ErrCacheMiss is
// returned if the item didn't already exist in the cache.
func (c *Client) Delete(key string) error {
	if !legalKey(key) {
		return ErrMalformedKey
	}
	ctx, cancel := c.ctx()
	defer cancel()
	return c.kv.Delete(ctx, c.kvKey(key))
}

// DeleteAll deletes all items in the cache.
func (c *Client) DeleteAll() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cursor := ""
	for {
		keys, next, err := c.kv.ListPage(ctx, c.prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if err := c.kv.DeleteMany(ctx, names); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// FlushAll makes every item stored up to now+delay invisible, the way
// memcached's "flush_all [delay]" does. Items are not removed; they stop
// being returned and age out through their own TTLs.
func (c *Client) FlushAll(delay time.Duration) error {
	ctx, cancel := c.ctx()
	defer cancel()
	at := time.Now().Add(delay).Unix()
	if err := c.kv.Put(ctx, c.flushKey(), []byte(strconv.FormatInt(at, 10)), kvstore.PutOptions{}); err != nil {
		return err
	}
	c.flushMu.Lock()
	c.flushEpoch, c.flushFetched = at, time.Now()
	c.flushMu.Unlock()
	return nil
}

// Ping checks that the namespace answers.
func (c *Client) Ping() error {
	ctx, cancel := c.ctx()
	defer cancel()
	_, _, err := c.kv.ListPage(ctx, c.prefix, "", 10)
	return err
}
