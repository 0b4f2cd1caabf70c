package flags_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/flagship/internal/flags"
	"example.com/flagship/internal/storage/memkv"
)

func sample(key string) flags.Flag {
	return flags.Flag{
		Key:      key,
		Enabled:  true,
		Variants: []flags.Variant{{Name: "off", Value: false}, {Name: "on", Value: true}},
		Default:  "off",
		Rollout:  &flags.Rollout{Weights: map[string]int{"off": 70, "on": 30}},
	}
}

func TestCreateRefusesDuplicate(t *testing.T) {
	ctx := context.Background()
	repo := flags.NewRepo(memkv.New(), "staging")
	if err := repo.Create(ctx, sample("checkout.v2")); err != nil {
		t.Fatal(err)
	}
	if err := repo.Create(ctx, sample("checkout.v2")); !errors.Is(err, flags.ErrExists) {
		t.Fatalf("second create: got %v, want ErrExists", err)
	}
}

func TestSetEnabled(t *testing.T) {
	ctx := context.Background()
	repo := flags.NewRepo(memkv.New(), "staging")
	if err := repo.Save(ctx, sample("search")); err != nil {
		t.Fatal(err)
	}
	if err := repo.SetEnabled(ctx, "search", false); err != nil {
		t.Fatal(err)
	}
	f, err := repo.Get(ctx, "search")
	if err != nil || f.Enabled {
		t.Fatalf("got %+v, %v", f, err)
	}
}

func TestValidate(t *testing.T) {
	f := sample("Bad Key")
	if err := f.Validate(); !errors.Is(err, flags.ErrInvalidKey) {
		t.Fatalf("got %v", err)
	}
	f = sample("ok")
	f.Rollout.Weights["on"] = 40
	if err := f.Validate(); !errors.Is(err, flags.ErrBadWeights) {
		t.Fatalf("got %v", err)
	}
}

func TestRolloutSplit(t *testing.T) {
	f := sample("split")
	on := 0
	for i := 0; i < 10000; i++ {
		if f.Evaluate(string(rune('a'+i%26))+time.Duration(i).String(), time.Now()) == "on" {
			on++
		}
	}
	if on < 2500 || on > 3500 {
		t.Fatalf("on = %d of 10000, want about 3000", on)
	}
}

func TestPublishAndLoad(t *testing.T) {
	ctx := context.Background()
	kv := memkv.New()
	defs := []flags.Flag{sample("a"), sample("b"), sample("c")}
	if err := flags.PublishBatch(ctx, kv, "production", defs, 7); err != nil {
		t.Fatal(err)
	}
	got, version, err := flags.Load(ctx, kv, kv, "production")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || version != 7 {
		t.Fatalf("loaded %d flags, version %d", len(got), version)
	}
}

func TestPagePassesCursorBack(t *testing.T) {
	ctx := context.Background()
	kv := memkv.New()
	repo := flags.NewRepo(kv, "dev")
	for _, k := range []string{"a", "b", "c"} {
		if err := repo.Save(ctx, sample(k)); err != nil {
			t.Fatal(err)
		}
	}
	names, cursor, err := repo.Page(ctx, "")
	if err != nil || len(names) != 3 || cursor != "" {
		t.Fatalf("names=%v cursor=%q err=%v", names, cursor, err)
	}
}
