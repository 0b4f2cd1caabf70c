package service

import (
	"context"
	"errors"
	"time"
)

// Message is one event flowing through a pipeline.
type Message struct {
	body []byte
	meta map[string]string
}

// NewMessage wraps a payload.
func NewMessage(body []byte) *Message {
	return &Message{body: body, meta: map[string]string{}}
}

// AsBytes returns the payload.
func (m *Message) AsBytes() []byte { return m.body }

// SetBytes replaces the payload.
func (m *Message) SetBytes(b []byte) { m.body = b }

// MetaGet returns a metadata value and whether it was present.
func (m *Message) MetaGet(key string) (string, bool) {
	v, ok := m.meta[key]
	return v, ok
}

// MetaSet sets a metadata value.
func (m *Message) MetaSet(key, value string) { m.meta[key] = value }

// MessageBatch is an ordered group of messages processed together.
type MessageBatch []*Message

// Processor transforms one message.
type Processor interface {
	Process(ctx context.Context, msg *Message) (MessageBatch, error)
	Close(ctx context.Context) error
}

// BatchProcessor transforms a whole batch at once.
type BatchProcessor interface {
	ProcessBatch(ctx context.Context, batch MessageBatch) ([]MessageBatch, error)
	Close(ctx context.Context) error
}

// Output writes batches somewhere.
type Output interface {
	WriteBatch(ctx context.Context, batch MessageBatch) error
	Close(ctx context.Context) error
}

// ErrKeyNotFound is returned by caches for a missing key.
var ErrKeyNotFound = errors.New("key not found")

// ErrKeyAlreadyExists is returned by Cache.Add when the key exists.
var ErrKeyAlreadyExists = errors.New("key already exists")

// Cache is a key/value cache resource.
type Cache interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte, ttl *time.Duration) error
	Add(ctx context.Context, key string, value []byte, ttl *time.Duration) error
	Delete(ctx context.Context, key string) error
	Close(ctx context.Context) error
}

// RateLimit is a rate-limit resource. Access returns how long the caller
// must wait before proceeding; zero means go ahead.
type RateLimit interface {
	Access(ctx context.Context) (time.Duration, error)
	Close(ctx context.Context) error
}
