package main

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/syumai/workers/cloudflare/r2"
)

// r2Blobs stores export archives in the EXPORTS bucket.
type r2Blobs struct {
	b *r2.Bucket
}

func (r r2Blobs) Put(_ context.Context, key string, body []byte) error {
	_, err := r.b.Put(key, io.NopCloser(bytes.NewReader(body)), &r2.PutOptions{
		HTTPMetadata: r2.HTTPMetadata{ContentType: "application/zip"},
	})
	return err
}

func (r r2Blobs) Get(_ context.Context, key string) ([]byte, error) {
	obj, err := r.b.Get(key)
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, errors.New("export not found")
	}
	return io.ReadAll(obj.Body)
}
