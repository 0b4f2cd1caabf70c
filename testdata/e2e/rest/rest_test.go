package rest

import "testing"

// The test makes go list report rest twice (rest and rest [rest.test]),
// so kvlint must not print rest.go's findings twice.
func TestNothing(t *testing.T) {}
