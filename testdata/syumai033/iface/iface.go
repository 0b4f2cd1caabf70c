// Package iface is written against a KV-shaped interface for
// testability; kvlint checks it once the interface is configured:
//
//	-kvapi.interfaces='kvlint.test/syumai033/iface.Cache.Get=get(key=1);kvlint.test/syumai033/iface.Cache.Put=put(key=1,value=2,ttl=3);kvlint.test/syumai033/iface.Cache.Delete=delete(key=1)'
package iface

import (
	"context"
	"time"
)

type Cache interface {
	Get(ctx context.Context, key string) (string, error)
	Put(ctx context.Context, key, value string, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
}
