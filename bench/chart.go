package main

func writeChart(path string, ss []summary, m *meta) error { return nil }
