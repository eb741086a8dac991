"""planning/solvers"""
