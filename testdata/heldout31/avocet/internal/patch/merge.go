// Package patch implements JSON merge patch (RFC 7396) over decoded
// documents.
package patch

import (
	"encoding/json"
	"errors"
)

// ErrNotObject is returned when a document or patch is not a JSON object.
var ErrNotObject = errors.New("patch: not a JSON object")

// Merge applies patch to target: null removes a member, objects merge
// recursively, anything else replaces.
func Merge(target, patch map[string]any) map[string]any {
	if target == nil {
		target = map[string]any{}
	}
	for k, pv := range patch {
		if pv == nil {
			delete(target, k)
			continue
		}
		pm, ok := pv.(map[string]any)
		if !ok {
			target[k] = pv
			continue
		}
		tm, _ := target[k].(map[string]any)
		target[k] = Merge(tm, pm)
	}
	return target
}

// Decode parses a JSON object; an empty input is an empty object.
func Decode(b []byte) (map[string]any, error) {
	if len(b) == 0 {
		return map[string]any{}, nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, ErrNotObject
	}
	return m, nil
}

// Protect drops patch members that callers may not change.
func Protect(p map[string]any, readOnly ...string) map[string]any {
	for _, k := range readOnly {
		delete(p, k)
	}
	return p
}
