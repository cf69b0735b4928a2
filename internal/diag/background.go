package diag

import "fmt"

// InBackground runs work in a goroutine and delivers its error. main cannot
// recover a panic in another goroutine: it becomes an error here, naming
// what panicked (a bug all the same, reported as one instead of a
// goroutine dump).
func InBackground(what string, work func() error) <-chan error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("%s: internal error (a bug; please report it with the input): %v", what, r)
			}
		}()
		done <- work()
	}()
	return done
}
