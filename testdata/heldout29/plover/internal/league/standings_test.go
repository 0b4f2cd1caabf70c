package league

import "testing"

func TestRoundRobinPairsEveryoneOnce(t *testing.T) {
	teams := []TeamID{"a", "b", "c", "d", "e"}
	pairs := RoundRobin(teams)
	seen := map[[2]TeamID]bool{}
	for _, p := range pairs {
		k := p
		if k[0] > k[1] {
			k[0], k[1] = k[1], k[0]
		}
		if seen[k] {
			t.Fatalf("pair %v twice", k)
		}
		seen[k] = true
	}
	if want := len(teams) * (len(teams) - 1) / 2; len(pairs) != want {
		t.Fatalf("got %d pairs, want %d", len(pairs), want)
	}
}
