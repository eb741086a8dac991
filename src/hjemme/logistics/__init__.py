"""logistics"""
