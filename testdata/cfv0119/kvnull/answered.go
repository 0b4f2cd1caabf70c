package kvnull

import (
	"context"
	"errors"
	"strings"

	"github.com/cloudflare/cloudflare-go"
)

// ruleNames answers a missing index with no names and no error: its
// error is some other failure.
func (s *profiles) ruleNames(ctx context.Context, ws string) ([]string, error) {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: "rules-index:" + ws})
	var notFound *cloudflare.NotFoundError
	if errors.As(err, &notFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return strings.Split(string(raw), "\n"), nil
}

// Quiet: the wrapper has answered the miss; what is dropped is a failure.
func (s *profiles) exportRules(ctx context.Context, ws string) []string {
	names, _ := s.ruleNames(ctx, ws)
	return names
}

// ruleText passes the SDK's error on, not-found included.
func (s *profiles) ruleText(ctx context.Context, ws, name string) ([]byte, error) {
	return s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: "rules:" + ws + ":" + name})
}

// Its error dropped: a miss reads as an empty rule.
func (s *profiles) ruleOrEmpty(ctx context.Context, ws, name string) string {
	raw, _ := s.ruleText(ctx, ws, name) // want `the error of this get is dropped`
	return string(raw)
}
