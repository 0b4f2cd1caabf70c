package broken

import "testing"

func TestShort(t *testing.T) { undefinedHelper(t) }
