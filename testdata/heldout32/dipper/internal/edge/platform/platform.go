//go:build js && wasm

// Package platform holds the Worker's bindings other than KV: the D1
// database and the queues it produces to.
package platform

import (
	"database/sql"
	"sync"

	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/queues"
)

// DB is the D1 database that owns quizzes, hosts and players.
var DB = sync.OnceValues(func() (*sql.DB, error) {
	c, err := d1.OpenConnector("DB")
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
})

// Analytics is the queue the analytics backend consumes game events from.
var Analytics = sync.OnceValues(func() (*queues.Producer, error) {
	return queues.NewProducer("ANALYTICS")
})

// Mailer is the queue of transactional mail (magic links, exports).
var Mailer = sync.OnceValues(func() (*queues.Producer, error) {
	return queues.NewProducer("MAILER")
})
