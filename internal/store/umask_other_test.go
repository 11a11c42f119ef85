//go:build !unix

package store_test

func umask(int) int { return 0 }
