package recovery

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/storage/memkv"
)

func TestRedeemOnce(t *testing.T) {
	ctx := context.Background()
	st := memkv.New(clock.Fixed{T: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)})
	codes, err := Enroll(ctx, st, "drv_1", "dev_old")
	if err != nil {
		t.Fatal(err)
	}
	driver, err := Redeem(ctx, st, "dev_old", codes[3])
	if err != nil || driver != "drv_1" {
		t.Fatalf("first redeem: %q, %v", driver, err)
	}
	if _, err := Redeem(ctx, st, "dev_old", codes[3]); !errors.Is(err, ErrWrongCode) {
		t.Fatalf("second redeem: want ErrWrongCode, got %v", err)
	}
}
