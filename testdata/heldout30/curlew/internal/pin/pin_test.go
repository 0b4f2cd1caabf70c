package pin

import (
	"context"
	"testing"
	"time"

	"example.com/curlew/internal/flags"
	"example.com/curlew/internal/kv/memkv"
)

// fakeVault stands in for the original PIN vault.
type fakeVault struct{ pins map[string]string }

func (f *fakeVault) Issue(_ context.Context, parcelID, hash string, _ time.Duration) error {
	f.pins[parcelID] = hash
	return nil
}

func (f *fakeVault) Redeem(_ context.Context, parcelID, hash string) (bool, error) {
	if f.pins[parcelID] != hash {
		return false, nil
	}
	delete(f.pins, parcelID)
	return true, nil
}

func TestIssueVerifyBothPaths(t *testing.T) {
	for _, v2 := range []bool{false, true} {
		vault := &fakeVault{pins: map[string]string{}}
		s := New(vault, memkv.New(), flags.Static{flags.PinVaultV2: v2}, []byte("pepper"), time.Hour)
		ctx := context.Background()
		pin, err := s.Issue(ctx, "parcel-1")
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Verify(ctx, "parcel-1", "000000x"); ok || err != nil {
			t.Fatalf("v2=%v: wrong pin accepted (%v)", v2, err)
		}
		if ok, err := s.Verify(ctx, "parcel-1", pin); !ok || err != nil {
			t.Fatalf("v2=%v: right pin rejected (%v)", v2, err)
		}
		if ok, _ := s.Verify(ctx, "parcel-1", pin); ok {
			t.Fatalf("v2=%v: pin accepted twice", v2)
		}
	}
}
