// Package filesink writes export files to a local directory that a sidecar
// syncs to object storage.
package filesink

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"

	"example.com/billing/internal/export"
)

type sink struct {
	f *os.File
	w *bufio.Writer
}

// Opener returns a constructor for export sinks rooted at dir.
func Opener(dir string) func(ctx context.Context, name string) (export.Sink, error) {
	return func(_ context.Context, name string) (export.Sink, error) {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		return &sink{f: f, w: bufio.NewWriter(f)}, nil
	}
}

func (s *sink) Write(_ context.Context, key string, value []byte) error {
	line, err := json.Marshal(map[string]string{"key": key, "value": string(value)})
	if err != nil {
		return err
	}
	_, err = s.w.Write(append(line, '\n'))
	return err
}

func (s *sink) Close(context.Context) (string, error) {
	if err := s.w.Flush(); err != nil {
		s.f.Close()
		return "", err
	}
	return s.f.Name(), s.f.Close()
}
