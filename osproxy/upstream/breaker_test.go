package upstream

import (
	"testing"
	"time"
)

func TestBreaker_ConsecutiveFailures_OpenThenTrial(t *testing.T) {
	now := time.Unix(100, 0)
	b := &Breaker{Failures: 3, Cooldown: 10 * time.Second, Now: func() time.Time { return now }}
	for i := 0; i < 2; i++ {
		if ok, _ := b.Allow(); !ok {
			t.Fatalf("request %d refused while closed", i)
		}
		b.Failure()
	}
	b.Allow()
	b.Success() // a success resets the count
	for i := 0; i < 3; i++ {
		b.Allow()
		b.Failure()
	}
	if st, opened := b.State(); st != Open || opened != 1 {
		t.Fatalf("state %v opened %d, want open once", st, opened)
	}
	now = now.Add(4 * time.Second)
	if ok, after := b.Allow(); ok || after != 6*time.Second {
		t.Fatalf("open breaker: allow %v retry after %v, want refused, 6s", ok, after)
	}
	now = now.Add(6 * time.Second)
	if ok, _ := b.Allow(); !ok {
		t.Fatal("the trial after the cool-down was refused")
	}
	if ok, _ := b.Allow(); ok {
		t.Fatal("a second request went through while the trial is under way")
	}
	b.Failure()
	if st, opened := b.State(); st != Open || opened != 2 {
		t.Fatalf("failed trial: state %v opened %d, want open twice", st, opened)
	}
	now = now.Add(10 * time.Second)
	if st, _ := b.State(); st != HalfOpen {
		t.Fatalf("after the cool-down the state reads %v, want half_open", st)
	}
	b.Allow()
	b.Success()
	if st, _ := b.State(); st != Closed {
		t.Fatalf("successful trial: state %v, want closed", st)
	}
}

func TestBreaker_AbandonedTrial_LetsAnotherTry(t *testing.T) {
	now := time.Unix(0, 0)
	b := &Breaker{Failures: 1, Cooldown: time.Second, Now: func() time.Time { return now }}
	b.Allow()
	b.Failure()
	now = now.Add(time.Second)
	if ok, _ := b.Allow(); !ok {
		t.Fatal("trial refused")
	}
	b.Abandon()
	if ok, _ := b.Allow(); !ok {
		t.Fatal("after an abandoned trial another must be let through")
	}
}

func TestBreaker_Disabled_NeverOpens(t *testing.T) {
	var b Breaker
	for i := 0; i < 100; i++ {
		b.Allow()
		b.Failure()
	}
	if ok, _ := b.Allow(); !ok {
		t.Fatal("a breaker with Failures 0 opened")
	}
}
